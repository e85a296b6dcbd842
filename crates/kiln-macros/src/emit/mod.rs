//! The emitters: a resolved model becomes its module (structs, constants, counts), its passes
//! (`forward`, `forward_tapped`, `forward_aux`) and its summary. A new construct is one
//! [`NodeKind`](crate::resolve::NodeKind) plus one arm in each emitter.

mod forward;
mod layout;
mod summary;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

use crate::ast::Model;
use crate::resolve::{Resolved, Shape};
use forward::Passes;
use layout::Layout;

/// `layer2_0` as `Layer2_0`: words capitalised, an underscore kept before a digit so that
/// `layer1_10` and `layer11_0` stay apart.
fn camel(name: &str) -> String {
    name.split('_')
        .enumerate()
        .map(|(i, part)| {
            let mut chars = part.chars();
            match chars.next() {
                Some(c) if c.is_ascii_digit() && i > 0 => format!("_{part}"),
                Some(c) => c.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect()
}

/// `<ty as Layer<W, H, D>>` for a layer of type `ty` fed `input`, its own tokens at `span`.
fn as_layer(root: &TokenStream, ty: &TokenStream, input: &Shape, span: Span) -> TokenStream {
    let [w, h, d] = input.dims();
    quote::quote_spanned!(span=> <#ty as #root::Layer<#w, #h, #d>>)
}

/// A residual add's FLOPs: one per element of the branch's output `out` (counted from the
/// branch, not from the join's constant, so that the model's FLOPS do not fail again where the
/// join fails).
fn join_flops(out: &Ident) -> TokenStream {
    quote!(#out[0] * #out[1] * #out[2])
}

/// The constants of a concatenation of `branches` branches, joined pairwise: the first branch
/// joined with the second, that with the third, …, the last being the concatenation's own
/// constant `out` (`S7_1`, `S7_2`, `S7` for four branches). The module defines them, the
/// forward pass types each partial join by them.
fn partial_joins(out: &Ident, branches: usize) -> Vec<Ident> {
    (1..branches)
        .map(|i| {
            if i + 1 == branches {
                out.clone()
            } else {
                format_ident!("{out}_{i}", span = out.span())
            }
        })
        .collect()
}

/// The code of a resolved model.
pub fn emit(resolved: &Resolved) -> TokenStream {
    let Resolved {
        model,
        input,
        nodes,
        out,
        ..
    } = resolved;
    let Model {
        root,
        attrs,
        vis,
        name,
        ..
    } = model;
    let s0 = &input.konst;
    let Layout {
        consts,
        mut structs,
        mut exported,
        fields,
        inits,
        params,
        aux_params,
        flops,
        buffers,
        activations,
        peaks,
        ..
    } = Layout::of(resolved);
    let (names, types): (Vec<_>, Vec<_>) = fields.into_iter().unzip();
    // The memory terms of the layers, written out wherever they are used (the constants, the
    // summary, the byte estimates) rather than read from one module constant: through such a
    // constant, a shape that fails would be reported again at the whole macro call. The
    // array is a local, not a promoted constant, for the same reason.
    let kept = quote!((0 #(+ #activations)*));
    let peak = quote!({
        let peaks = [#(#peaks),*];
        #root::shape::largest(&peaks)
    });
    let Passes {
        tapped,
        fused,
        with_aux,
        aux,
    } = Passes::of(root, nodes);
    let (stmts, tap_names): (Vec<_>, Vec<_>) = tapped.into_iter().unzip();
    let rows = summary::rows(root, nodes, "", &[]);
    let (in_act, out_act, out_konst) = (input.act(root), out.act(root), &out.konst);
    let forward_aux = if aux.is_empty() {
        quote!()
    } else {
        let aux_struct = format_ident!("{}Aux", name);
        let (aux_names, aux_acts): (Vec<_>, Vec<_>) = aux.into_iter().unzip();
        let doc = format!("The outputs of `{name}`'s auxiliary branches.");
        structs.push(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone)]
            pub struct #aux_struct {
                #(#[doc = "An auxiliary branch's output."] pub #aux_names: #aux_acts,)*
            }
        });
        exported.push(aux_struct.clone());
        quote! {
            /// Runs the model and its auxiliary branches (for training with auxiliary losses).
            ///
            /// # Shapes
            /// - input: the model's `INPUT`, as `[batch, D, H, W]`
            /// - output: the model's `OUTPUT`, and each branch's output, as `[batch, D, H, W]`
            pub fn forward_aux(&self, x: #in_act) -> (#out_act, #aux_struct) {
                #(#with_aux)*
                (x, #aux_struct { #(#aux_names,)* })
            }
        }
    };
    let module = format_ident!("__kiln_{}", name);
    let model_name = name.to_string();
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, non_camel_case_types, unused_imports, clippy::all)]
        mod #module {
            use super::*;
            use #root::burn;
            use #root::Layer as _;

            #(#consts)*
            /// Trainable parameters of the auxiliary branches.
            pub const AUX_PARAMS: usize = 0 #(+ #aux_params)*;
            /// Trainable parameters of the model.
            pub const PARAMS: usize = 0 #(+ #params)*;
            /// FLOPs of one forward pass of one example.
            pub const FLOPS: usize = 0 #(+ #flops)*;
            /// Batch-norm running statistics, counted by burn's `num_params()` too.
            pub const BUFFERS: usize = 0 #(+ #buffers)*;

            #(#structs)*

            #(#attrs)*
            #[derive(burn::module::Module, Debug)]
            pub struct #name {
                #(#[doc = "A layer of the model."] pub #names: #types,)*
            }

            impl #name {
                /// Input shape `[W, H, D]`.
                pub const INPUT: [usize; 3] = #s0;
                /// Output shape `[W, H, D]`.
                pub const OUTPUT: [usize; 3] = #out_konst;
                /// Trainable parameters (torchvision's count; see `BUFFERS`).
                pub const PARAMS: usize = PARAMS;
                /// FLOPs of one forward pass of one example.
                pub const FLOPS: usize = FLOPS;
                /// Non-trainable state (batch-norm running statistics); burn's `num_params()`
                /// is `PARAMS + BUFFERS`.
                pub const BUFFERS: usize = BUFFERS;
                /// Trainable parameters of the auxiliary branches (`aux { … }`), included in
                /// `PARAMS`.
                pub const AUX_PARAMS: usize = AUX_PARAMS;
                /// Activation values per example that training keeps for the backward pass:
                /// every layer's and join's output.
                pub const ACTIVATIONS: usize = #kept;
                /// The most activation values per example alive at once in inference: a
                /// layer's input and output, with the inputs enclosing blocks keep.
                pub const PEAK_ACTIVATIONS: usize = #peak;
                /// Bytes of the parameters and buffers (`f32`).
                pub const PARAM_BYTES: usize = #root::shape::param_bytes(PARAMS, BUFFERS);

                /// Estimated bytes to run inference at batch `batch` (parameters, and each
                /// example's peak of live activations), at compile time:
                /// `const _: () = assert!(Net::inference_bytes(64) < 1 << 30);`.
                pub const fn inference_bytes(batch: usize) -> usize {
                    #root::shape::inference_bytes(PARAMS, BUFFERS, #peak, batch)
                }

                /// Estimated bytes to train at batch `batch` with SGD and momentum (parameters,
                /// gradients and momentum; each example's kept activations and the widest
                /// point's gradients), at compile time:
                /// `const _: () = assert!(Net::training_bytes(128) < 4 << 30);`.
                pub const fn training_bytes(batch: usize) -> usize {
                    #root::shape::training_bytes(PARAMS, BUFFERS, #kept, #peak, batch)
                }

                /// Creates the model with freshly initialised parameters on `device`.
                pub fn init(device: &burn::tensor::Device) -> Self {
                    #name { #(#inits,)* }
                }

                /// Runs the model; a layer followed by `relu` runs as one call, fused into one
                /// pass where the layer has a fused kernel (batch norm).
                ///
                /// # Shapes
                /// - input: the model's `INPUT`, as `[batch, D, H, W]`
                /// - output: the model's `OUTPUT`, as `[batch, D, H, W]`
                pub fn forward(&self, x: #in_act) -> #out_act {
                    #(#fused)*
                    x
                }

                /// Runs the model, handing each top-level layer's output to `tap` with the
                /// layer's name (feature maps, debugging, comparisons with a reference). The
                /// top-level layers run one by one (`forward` fuses a layer with the `relu`
                /// after it), with the same result as `forward`.
                ///
                /// # Shapes
                /// - input: the model's `INPUT`, as `[batch, D, H, W]`
                /// - tapped: each top-level layer's output, `[batch, D, H, W]`
                /// - output: the model's `OUTPUT`, as `[batch, D, H, W]`
                pub fn forward_tapped(
                    &self,
                    x: #in_act,
                    tap: &mut dyn FnMut(&str, &burn::tensor::Tensor<4>),
                ) -> #out_act {
                    #(#stmts tap(#tap_names, x.tensor());)*
                    x
                }

                #forward_aux

                /// The layer table: output shapes, parameters and FLOPs.
                pub fn summary() -> #root::Summary {
                    #root::Summary {
                        model: #model_name.to_string(),
                        input: #s0,
                        rows: vec![#(#rows),*],
                        buffers: BUFFERS,
                        // The layers' terms, not the model's constants: a shape that fails
                        // is reported at its layer only.
                        activations: #kept,
                        peak_activations: #peak,
                    }
                }
            }

            impl #root::Model for #name {
                const INPUT: [usize; 3] = #s0;
                const OUTPUT: [usize; 3] = #out_konst;
                const PARAMS: usize = PARAMS;
                const FLOPS: usize = FLOPS;
                const BUFFERS: usize = BUFFERS;
                const ACTIVATIONS: usize = #kept;
                const PEAK_ACTIVATIONS: usize = #peak;

                fn init(device: &burn::tensor::Device) -> Self {
                    #name::init(device)
                }

                fn forward_tensor(
                    &self,
                    input: burn::tensor::Tensor<4>,
                ) -> Result<burn::tensor::Tensor<4>, #root::ShapeMismatch> {
                    Ok(self.forward(#root::Act::try_from_tensor(input)?).into_tensor())
                }

                fn forward_tapped_tensor(
                    &self,
                    input: burn::tensor::Tensor<4>,
                    tap: &mut dyn FnMut(&str, &burn::tensor::Tensor<4>),
                ) -> Result<burn::tensor::Tensor<4>, #root::ShapeMismatch> {
                    let input = #root::Act::try_from_tensor(input)?;
                    Ok(self.forward_tapped(input, tap).into_tensor())
                }

                fn summary() -> #root::Summary {
                    #name::summary()
                }
            }
        }
        #[allow(unused_imports)]
        #vis use #module::{#name #(, #exported)*};
    }
}

#[cfg(test)]
mod tests {
    fn expand_str(source: &str) -> String {
        let model: crate::ast::Model = syn::parse_str(source).expect("model parses");
        crate::expand(&model).to_string()
    }

    #[test]
    fn a_valid_model_expands_to_parseable_items_with_computed_types() {
        let out = expand_str(
            "pub struct Net { input: [10, 10, 3], conv1: conv(8, 3, pad = 1), relu, \
             pool: max_pool(2), block: residual { c: conv(8, 3, pad = 1) }, \
             mix: concat { a { conv(2, 1) }, b { conv(3, 1) } }, flatten, fc: linear(4) }",
        );
        syn::parse_file(&out).expect("generated code parses");
        assert!(out.contains("Conv2d < 3 , 8 , 3 , 1 , 1"), "{out}");
        assert!(out.contains("Linear < 125 , 4 , true >"), "{out}");
        assert!(out.contains("pub struct NetBlock"), "{out}");
        assert!(out.contains("pub struct NetMixA"), "{out}");
    }

    #[test]
    fn the_lecture_case_is_a_spanned_error_with_numbers_and_fixes() {
        let out = expand_str("struct Net { input: [10, 10, 3], conv2: conv(8, 3, stride = 2) }");
        assert!(out.starts_with(":: core :: compile_error !"), "{out}");
        assert!(
            out.contains("conv2: width (10 − 3 + 2·0)/2 + 1 = 4.5 is not an integer"),
            "{out}"
        );
        assert!(out.contains("stride 1 gives 8"), "{out}");
    }

    #[test]
    fn every_bad_layer_is_reported_and_later_ones_are_checked_on_a_guess() {
        let out = expand_str(
            "struct Net { input: [10, 10, 3], conv1: conv(8, 3, stride = 2), \
             pool: max_pool(3, stride = 2), drop: dropout(2.0), flatten, fc: linear(0) }",
        );
        assert_eq!(out.matches("compile_error").count(), 4, "{out}");
        assert!(
            out.contains("conv1: width (10 − 3 + 2·0)/2 + 1 = 4.5"),
            "{out}"
        );
        // conv1 rounded down gives 4: (4 − 3)/2 + 1 = 1.5.
        assert!(
            out.contains("pool: width (4 − 3 + 2·0)/2 + 1 = 1.5"),
            "{out}"
        );
        assert!(out.contains("a guess after the error at `conv1`"), "{out}");
        assert!(out.contains("drop:"), "{out}");
        assert!(out.contains("fc:"), "{out}");
    }

    #[test]
    fn a_model_with_errors_emits_only_the_errors() {
        let out = expand_str("struct Net { input: [10, 10, 3], c: conv(8, 3, stride = 2) }");
        assert!(!out.contains("struct Net"), "{out}");
    }

    #[test]
    fn numbered_layers_are_named_by_position() {
        let out = expand_str(
            "struct Net { input: [8, 8, 3], numbered(features) { conv(4, 3, pad = 1), relu, \
             max_pool(2) }, flatten, fc: linear(2) }",
        );
        for (k, layer) in [(0, "Conv2d"), (1, "Relu"), (2, "MaxPool2d")] {
            let field = format!("pub features_{k} : :: kiln :: layers :: {layer}");
            assert!(out.contains(&field), "{field} in {out}");
        }
        let error = syn::parse_str::<crate::ast::Model>(
            "struct Net { input: [8, 8, 3], numbered(features) { relu, c: conv(4, 3) } }",
        )
        .err()
        .expect("a named layer in a numbered block is refused");
        let text = error.to_string();
        assert!(
            text.contains("`c` in `numbered(features)` is named by its position: `features_1`"),
            "{text}"
        );
    }

    #[test]
    fn named_constants_leave_the_check_to_the_types() {
        let out = expand_str("struct Net { input: [SIDE, 10, 3], conv: conv(8, 3, stride = 2) }");
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("{ S0 [0] }"), "{out}");
    }
}
