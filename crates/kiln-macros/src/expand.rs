//! Code generation: the typed struct, its shape constants, `init`, `forward` and `summary`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use crate::ast::{Item, Kind, Model};
use crate::eval::{Built, Num, builtin};

/// An activation shape during generation: the constant that holds it and, when the macro could
/// evaluate it, its value.
#[derive(Clone)]
struct Shape {
    konst: Ident,
    known: Option<[usize; 3]>,
}

impl Shape {
    /// The three dims as const arguments: literals when known, else the constant's entries.
    fn dims(&self) -> [TokenStream; 3] {
        match self.known {
            Some(dims) => dims.map(|d| Num::lit(d).tokens),
            None => {
                let k = &self.konst;
                [quote!({ #k[0] }), quote!({ #k[1] }), quote!({ #k[2] })]
            }
        }
    }

    fn act(&self, root: &TokenStream) -> TokenStream {
        let [w, h, d] = self.dims();
        quote!(#root::Act<#w, #h, #d>)
    }
}

/// Where a sequence's fields live: how `forward` reaches them, their path in summaries, and the
/// prefix for the names of the structs generated for nested blocks.
struct Owner {
    access: TokenStream,
    path: String,
    type_prefix: String,
}

impl Owner {
    fn child(&self, name: &Ident) -> Owner {
        Owner {
            access: {
                let access = &self.access;
                quote!(#access.#name)
            },
            path: format!("{}{name}.", self.path),
            type_prefix: format!("{}{}", self.type_prefix, camel(&name.to_string())),
        }
    }
}

/// What a sequence of items generates for its owner.
#[derive(Default)]
struct Seq {
    fields: Vec<(Ident, TokenStream)>,
    inits: Vec<TokenStream>,
    /// One statement per item, for `forward_tapped`.
    stmts: Vec<TokenStream>,
    /// The same statements for the untapped passes (`forward`, `forward_aux`, nested blocks):
    /// a layer followed by `relu` runs as one `Act::apply_relu` call in the ReLU's place (a
    /// fused kernel where the layer has one), and the layer's own statement is left empty.
    fused: Vec<TokenStream>,
    /// The name of the item each statement runs.
    names: Vec<String>,
    /// The last item's statement with a ReLU fused in, when it has one (a layer, a residual
    /// block): what a `relu` right after it becomes in the untapped passes.
    with_relu: Option<TokenStream>,
}

impl Seq {
    /// Adds the statement of the item `name`.
    fn push(&mut self, stmt: TokenStream, name: &Ident) {
        self.stmts.push(stmt.clone());
        self.fused.push(stmt);
        self.names.push(name.to_string());
    }

    /// Runs the last two items, an item and a ReLU, as `with_relu`, the item's statement with
    /// the ReLU fused in, in the untapped passes.
    fn fuse_relu(&mut self, with_relu: TokenStream) {
        let n = self.fused.len();
        self.fused[n - 2] = TokenStream::new();
        self.fused[n - 1] = with_relu;
    }
}

/// Everything generated at the model's top level.
struct Ctx {
    root: TokenStream,
    consts: Vec<TokenStream>,
    structs: Vec<TokenStream>,
    exported: Vec<Ident>,
    params: Vec<TokenStream>,
    flops: Vec<TokenStream>,
    buffers: Vec<TokenStream>,
    rows: Vec<TokenStream>,
    aux: Vec<Aux>,
    /// Block structs already generated, by their fields.
    shared: std::collections::HashMap<String, Ident>,
    next: usize,
}

/// An auxiliary branch: its name, output type, the top-level statement index it runs before,
/// its statements, and the range of `Ctx::params` its layers contributed.
struct Aux {
    name: Ident,
    act: TokenStream,
    at: usize,
    stmt: TokenStream,
    params: core::ops::Range<usize>,
}

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

/// `span`'s location with call-site name resolution: errors point at the layer, while the
/// generated `x` bindings stay visible to each other when the model comes from a
/// `macro_rules!` (whose local variables are hygienic).
fn located(span: Span) -> Span {
    span.resolved_at(Span::call_site())
}

impl Ctx {
    fn konst(&mut self, span: Span, value: TokenStream) -> Ident {
        let name = format_ident!("S{}", self.next);
        self.next += 1;
        self.consts
            .push(quote_spanned!(located(span)=> pub const #name: [usize; 3] = #value;));
        name
    }

    /// A layer of type `ty` named `name` applied to `input`.
    fn layer(
        &mut self,
        seq: &mut Seq,
        owner: &Owner,
        name: &Ident,
        Built { ty, out }: Built,
        input: &Shape,
        span: Span,
    ) -> Shape {
        let root = self.root.clone();
        let [w, h, d] = input.dims();
        let as_layer = quote!(<#ty as #root::Layer<#w, #h, #d>>);
        let konst = self.konst(span, quote!(#as_layer::OUT));
        let shape = Shape {
            konst: konst.clone(),
            known: out,
        };
        self.params.push(quote!(#as_layer::PARAMS));
        self.flops.push(quote!(#as_layer::FLOPS));
        self.buffers.push(quote!(#as_layer::BUFFERS));
        let path = format!("{}{name}", owner.path);
        self.rows.push(quote!(#root::SummaryRow {
            name: #path.to_string(),
            kind: #as_layer::describe(),
            output: #konst,
            params: #as_layer::PARAMS,
            flops: #as_layer::FLOPS,
        }));
        let access = &owner.access;
        let act = shape.act(&self.root);
        seq.push(
            quote_spanned!(located(span)=> let x: #act = x.apply(&#access.#name);),
            name,
        );
        seq.with_relu =
            Some(quote_spanned!(located(span)=> let x: #act = x.apply_relu(&#access.#name);));
        seq.inits.push(quote!(#name: #as_layer::init(device)));
        seq.fields.push((name.clone(), ty));
        shape
    }

    /// A join row (residual add or concatenation) in the summary.
    fn join_row(&mut self, owner: &Owner, name: &Ident, kind: &str, out: &Ident, flops: bool) {
        let root = self.root.clone();
        let path = format!("{}{name}", owner.path);
        let flops = if flops {
            quote!(#out[0] * #out[1] * #out[2])
        } else {
            quote!(0)
        };
        self.flops.push(flops.clone());
        self.rows.push(quote!(#root::SummaryRow {
            name: #path.to_string(),
            kind: #kind.to_string(),
            output: #out,
            params: 0,
            flops: #flops,
        }));
    }

    /// A struct for a nested block, returning its type and its initialiser. Blocks with the same
    /// fields (the repeated blocks of a stage) share one struct: fewer types to derive and check.
    fn block_struct(&mut self, owner: &Owner, seq: Seq, doc: &str) -> (TokenStream, TokenStream) {
        let (names, types): (Vec<_>, Vec<_>) = seq.fields.into_iter().unzip();
        let inits = seq.inits;
        let key = quote!(#(#names: #types,)* #doc).to_string();
        if let Some(name) = self.shared.get(&key) {
            return (quote!(#name), quote!(#name { #(#inits,)* }));
        }
        let name = format_ident!("{}", owner.type_prefix);
        self.shared.insert(key, name.clone());
        self.structs.push(quote! {
            #[doc = #doc]
            #[derive(burn::module::Module, Debug)]
            pub struct #name {
                #(#[doc = "A layer of the block."] pub #names: #types,)*
            }
        });
        self.exported.push(name.clone());
        (quote!(#name), quote!(#name { #(#inits,)* }))
    }

    fn seq(&mut self, items: &[Item], input: Shape, owner: &Owner) -> syn::Result<(Seq, Shape)> {
        let mut seq = Seq::default();
        let mut shape = input;
        for (i, item) in items.iter().enumerate() {
            shape = self.item(&mut seq, item, i + 1, shape, owner)?;
        }
        Ok((seq, shape))
    }

    fn item(
        &mut self,
        seq: &mut Seq,
        item: &Item,
        index: usize,
        input: Shape,
        owner: &Owner,
    ) -> syn::Result<Shape> {
        let auto = |word: &str| format_ident!("{word}{index}");
        let previous = seq.with_relu.take();
        match &item.kind {
            Kind::Builtin { layer, args } => {
                let name = item
                    .name
                    .clone()
                    .unwrap_or_else(|| auto(&layer.to_string()));
                let depth = input.dims()[2].clone();
                let built = builtin(
                    &self.root,
                    &name.to_string(),
                    layer,
                    args,
                    &depth,
                    input.known,
                    item.span,
                )?;
                let out = self.layer(seq, owner, &name, built, &input, item.span);
                if let (true, Some(previous)) = (layer == "relu", previous) {
                    seq.fuse_relu(previous);
                    seq.with_relu = None;
                }
                Ok(out)
            }
            Kind::Custom(ty) => {
                let name = item.name.clone().unwrap_or_else(|| auto("layer"));
                let built = Built {
                    ty: quote!(#ty),
                    out: None,
                };
                Ok(self.layer(seq, owner, &name, built, &input, item.span))
            }
            Kind::Residual { body, shortcut } => {
                let name = item.name.clone().unwrap_or_else(|| auto("residual"));
                self.residual(
                    seq,
                    owner,
                    &name,
                    body,
                    shortcut.as_deref(),
                    input,
                    item.span,
                )
            }
            Kind::Concat { branches } => {
                let name = item.name.clone().unwrap_or_else(|| auto("concat"));
                self.concat(seq, owner, &name, branches, input, item.span)
            }
            Kind::Aux { body } => {
                let name = item.name.clone().unwrap_or_else(|| auto("aux"));
                if !owner.path.is_empty() {
                    return Err(syn::Error::new(
                        item.span,
                        format!("{name}: an `aux` branch must sit at the top level of the model"),
                    ));
                }
                self.aux(seq, owner, &name, body, input.clone(), item.span)?;
                Ok(input)
            }
        }
    }

    /// An auxiliary branch on `input`: its layers become a field of the model, its statement is
    /// kept apart for `forward_aux`.
    fn aux(
        &mut self,
        seq: &mut Seq,
        owner: &Owner,
        name: &Ident,
        body: &[Item],
        input: Shape,
        span: Span,
    ) -> syn::Result<()> {
        let inner = owner.child(name);
        let first_param = self.params.len();
        let (mut body_seq, out) = self.seq(body, input, &inner)?;
        let params = first_param..self.params.len();
        let stmts = std::mem::take(&mut body_seq.fused);
        let (ty, init) = self.block_struct(&inner, body_seq, "An auxiliary branch.");
        seq.fields.push((name.clone(), ty));
        seq.inits.push(quote!(#name: #init));
        let act = out.act(&self.root);
        self.aux.push(Aux {
            name: name.clone(),
            act: act.clone(),
            at: seq.stmts.len(),
            stmt: quote_spanned!(located(span)=> let #name: #act = { let x = x.clone(); #(#stmts)* x };),
            params,
        });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn residual(
        &mut self,
        seq: &mut Seq,
        owner: &Owner,
        name: &Ident,
        body: &[Item],
        shortcut: Option<&[Item]>,
        input: Shape,
        span: Span,
    ) -> syn::Result<Shape> {
        let root = self.root.clone();
        let inner = owner.child(name);
        let (mut body_seq, body_out) = self.seq(body, input.clone(), &inner)?;
        let (short_stmts, short_out) = match shortcut {
            Some(items) => {
                let short_owner = inner.child(&format_ident!("shortcut"));
                let (mut short_seq, short_out) = self.seq(items, input.clone(), &short_owner)?;
                let stmts = std::mem::take(&mut short_seq.fused);
                let (ty, init) = self.block_struct(
                    &short_owner,
                    short_seq,
                    "The projection shortcut of a residual block.",
                );
                body_seq.fields.push((format_ident!("shortcut"), ty));
                body_seq.inits.push(quote!(shortcut: #init));
                (stmts, short_out)
            }
            None => (Vec::new(), input.clone()),
        };
        if let (Some(b), Some(s)) = (body_out.known, short_out.known)
            && kiln_shape::residual(b, s).is_err()
        {
            return Err(syn::Error::new(
                span,
                kiln_shape::describe_residual(
                    &name.to_string(),
                    input.known,
                    b,
                    s,
                    shortcut.is_some(),
                ),
            ));
        }
        let (b, s) = (&body_out.konst, &short_out.konst);
        let konst = self.konst(
            span,
            quote!(#root::shape::or_panic(#root::shape::residual(#b, #s))),
        );
        let out = Shape {
            konst: konst.clone(),
            known: body_out.known,
        };
        self.join_row(owner, name, "residual add", &konst, true);
        let body_stmts = std::mem::take(&mut body_seq.fused);
        let (ty, init) = self.block_struct(&inner, body_seq, "A residual block.");
        seq.fields.push((name.clone(), ty));
        seq.inits.push(quote!(#name: #init));
        let act = out.act(&self.root);
        let at = located(span);
        let block = |join: TokenStream| {
            quote_spanned!(at=>
                let x: #act = {
                    let shortcut = { let x = x.clone(); #(#short_stmts)* x };
                    let x = { #(#body_stmts)* x };
                    #join
                };
            )
        };
        seq.push(block(quote_spanned!(at=> x + shortcut)), name);
        seq.with_relu = Some(block(quote_spanned!(at=> x.add_relu(shortcut))));
        Ok(out)
    }

    fn concat(
        &mut self,
        seq: &mut Seq,
        owner: &Owner,
        name: &Ident,
        branches: &[(Ident, Vec<Item>)],
        input: Shape,
        span: Span,
    ) -> syn::Result<Shape> {
        let root = self.root.clone();
        let inner = owner.child(name);
        let mut outer = Seq::default();
        let mut outs = Vec::new();
        let mut branch_blocks = Vec::new();
        for (branch, items) in branches {
            let branch_owner = inner.child(branch);
            let (mut branch_seq, out) = self.seq(items, input.clone(), &branch_owner)?;
            let stmts = std::mem::take(&mut branch_seq.fused);
            let (ty, init) =
                self.block_struct(&branch_owner, branch_seq, "A branch of a concatenation.");
            outer.fields.push((branch.clone(), ty));
            outer.inits.push(quote!(#branch: #init));
            branch_blocks.push(quote!({ let x = x.clone(); #(#stmts)* x }));
            outs.push(out);
        }
        let known = match outs.iter().map(|o| o.known).collect::<Option<Vec<_>>>() {
            Some(known) => match kiln_shape::concat(&known) {
                Ok(out) => Some(out),
                Err(_) => {
                    let named: Vec<(String, [usize; 3])> = branches
                        .iter()
                        .zip(known)
                        .map(|((b, _), s)| (b.to_string(), s))
                        .collect();
                    return Err(syn::Error::new(
                        span,
                        kiln_shape::describe_concat(&name.to_string(), &named),
                    ));
                }
            },
            None => None,
        };
        let konsts: Vec<&Ident> = outs.iter().map(|o| &o.konst).collect();
        let konst = self.konst(
            span,
            quote!(#root::shape::or_panic(#root::shape::concat(&[#(#konsts),*]))),
        );
        let out = Shape {
            konst: konst.clone(),
            known,
        };
        self.join_row(owner, name, "concat", &konst, false);
        let (ty, init) = self.block_struct(&inner, outer, "A depth concatenation of branches.");
        seq.fields.push((name.clone(), ty));
        seq.inits.push(quote!(#name: #init));
        let vars: Vec<Ident> = (0..outs.len())
            .map(|i| format_ident!("branch{i}"))
            .collect();
        let (first, rest) = vars
            .split_first()
            .expect("concat has at least two branches");
        let k0 = konsts[0];
        let mut depth = quote!(#k0[2]);
        let mut joins = Vec::new();
        for (var, k) in rest.iter().zip(&konsts[1..]) {
            depth = quote!(#depth + #k[2]);
            joins.push(quote!(
                let #first: #root::Act<{ #k0[0] }, { #k0[1] }, { #depth }> = #first.concat(#var);
            ));
        }
        let act = out.act(&self.root);
        seq.push(
            quote_spanned!(located(span)=>
                let x: #act = {
                    #(let #vars = #branch_blocks;)*
                    #(#joins)*
                    #first
                };
            ),
            name,
        );
        Ok(out)
    }
}

/// Expands a model declaration.
pub fn expand(model: &Model) -> TokenStream {
    match try_expand(model) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

fn try_expand(model: &Model) -> syn::Result<TokenStream> {
    let Model {
        attrs,
        vis,
        name,
        input,
        items,
        ..
    } = model;
    let root = model.root.clone();
    let mut ctx = Ctx {
        root: root.clone(),
        consts: Vec::new(),
        structs: Vec::new(),
        exported: Vec::new(),
        params: Vec::new(),
        flops: Vec::new(),
        buffers: Vec::new(),
        rows: Vec::new(),
        aux: Vec::new(),
        shared: std::collections::HashMap::new(),
        next: 0,
    };
    let nums = [
        Num::expr(&input[0])?,
        Num::expr(&input[1])?,
        Num::expr(&input[2])?,
    ];
    let known = match nums.each_ref().map(|n| n.value) {
        [Some(w), Some(h), Some(d)] => Some([w, h, d]),
        _ => None,
    };
    let [w, h, d] = nums.map(|n| n.tokens);
    let s0 = ctx.konst(Span::call_site(), quote!([#w, #h, #d]));
    let input = Shape {
        konst: s0.clone(),
        known,
    };
    let owner = Owner {
        access: quote!(self),
        path: String::new(),
        type_prefix: name.to_string(),
    };
    let (seq, out) = ctx.seq(items, input.clone(), &owner)?;
    let Ctx {
        consts,
        mut structs,
        mut exported,
        params,
        flops,
        buffers,
        rows,
        aux,
        ..
    } = ctx;
    let (names, types): (Vec<_>, Vec<_>) = seq.fields.into_iter().unzip();
    let inits = seq.inits;
    let (stmts, fused) = (seq.stmts, seq.fused);
    let tap_names = seq.names;
    let (in_act, out_act, out_konst) = (input.act(&root), out.act(&root), &out.konst);
    let aux_params: Vec<TokenStream> = aux
        .iter()
        .flat_map(|a| params[a.params.clone()].iter().cloned())
        .collect();
    let forward_aux = if aux.is_empty() {
        quote!()
    } else {
        let aux_struct = format_ident!("{}Aux", name);
        let (aux_names, aux_acts): (Vec<_>, Vec<_>) =
            aux.iter().map(|a| (a.name.clone(), a.act.clone())).unzip();
        let mut with_aux = Vec::new();
        let mut pending = aux.iter().peekable();
        for (i, stmt) in fused.iter().enumerate() {
            while let Some(a) = pending.next_if(|a| a.at == i) {
                with_aux.push(a.stmt.clone());
            }
            with_aux.push(stmt.clone());
        }
        with_aux.extend(pending.map(|a| a.stmt.clone()));
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
    Ok(quote! {
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
                    }
                }
            }

            impl #root::Model for #name {
                const INPUT: [usize; 3] = #s0;
                const OUTPUT: [usize; 3] = #out_konst;
                const PARAMS: usize = PARAMS;
                const FLOPS: usize = FLOPS;
                const BUFFERS: usize = BUFFERS;

                fn init(device: &burn::tensor::Device) -> Self {
                    #name::init(device)
                }

                fn forward_tensor(
                    &self,
                    input: burn::tensor::Tensor<4>,
                ) -> Result<burn::tensor::Tensor<4>, #root::ShapeMismatch> {
                    Ok(self.forward(#root::Act::try_from_tensor(input)?).into_tensor())
                }

                fn summary() -> #root::Summary {
                    #name::summary()
                }
            }
        }
        #[allow(unused_imports)]
        #vis use #module::{#name #(, #exported)*};
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(source: &str) -> String {
        let model: Model = syn::parse_str(source).expect("model parses");
        expand(&model).to_string()
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
    fn named_constants_leave_the_check_to_the_types() {
        let out = expand_str("struct Net { input: [SIDE, 10, 3], conv: conv(8, 3, stride = 2) }");
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("{ S0 [0] }"), "{out}");
    }
}
