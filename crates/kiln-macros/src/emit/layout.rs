//! The module emitter: the shape constants, the structs of the model and its blocks, their
//! initialisers, and the parameter, FLOP, buffer and activation counts.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use super::{as_layer, camel, join_flops, partial_joins};
use crate::resolve::{Node, NodeKind, Resolved, located, seq_out};

/// What the module holds besides the model's impl.
#[derive(Default)]
pub struct Layout {
    /// `pub const S… : [usize; 3] = …;`, one per shape.
    pub consts: Vec<TokenStream>,
    /// The block structs.
    pub structs: Vec<TokenStream>,
    /// The block structs' names, re-exported beside the model.
    pub exported: Vec<Ident>,
    /// The model's own fields and their initialisers.
    pub fields: Vec<(Ident, TokenStream)>,
    /// `field: init` per model field.
    pub inits: Vec<TokenStream>,
    /// Each layer's parameter count.
    pub params: Vec<TokenStream>,
    /// The parameter counts of the layers in auxiliary branches.
    pub aux_params: Vec<TokenStream>,
    /// Each layer's and join's FLOPs.
    pub flops: Vec<TokenStream>,
    /// Each layer's buffer count.
    pub buffers: Vec<TokenStream>,
    /// Each layer's and join's output size (values per example), outside auxiliary branches:
    /// what training keeps for the backward pass.
    pub activations: Vec<TokenStream>,
    /// Each layer's input and output sizes plus the inputs that enclosing blocks keep alive
    /// (a residual block's for its shortcut, a concatenation's for its other branches).
    pub peaks: Vec<TokenStream>,
    /// The shapes the blocks around the current node keep alive.
    live: Vec<Ident>,
    /// Block structs already generated, by their fields: the repeated blocks of a stage share
    /// one struct (fewer types to derive and check).
    shared: std::collections::HashMap<String, Ident>,
}

/// `kiln_shape::Join`'s constant `rule` (`RESIDUAL` or `CONCAT`) for the shapes in the
/// constants `a` and `b`: the shapes are the type's parameters, so rustc's error when the rule
/// fails quotes the numbers. Its first and last tokens are at `at`.
fn join(root: &TokenStream, at: Span, a: &Ident, b: &Ident, rule: &str) -> TokenStream {
    let rule = Ident::new(rule, at);
    let [a, b] = [a, b].map(|k| quote!({ #k[0] }, { #k[1] }, { #k[2] }));
    quote_spanned!(at=> <#root::shape::Join<#a, #b>>::#rule)
}

/// The values of one example's activation of the shape in the constant `shape`, spanned at
/// the layer (`at`) so that a failed shape is not reported again at the whole macro call.
fn size(shape: &Ident, at: Span) -> TokenStream {
    quote_spanned!(at=> (#shape[0] * #shape[1] * #shape[2]))
}

/// A sequence's fields and their initialisers.
type Fields = (Vec<(Ident, TokenStream)>, Vec<TokenStream>);

impl Layout {
    /// The layout of a resolved model: its input constant, then every node's.
    pub fn of(resolved: &Resolved) -> Self {
        let Resolved {
            model,
            input_dims: [w, h, d],
            input,
            nodes,
            ..
        } = resolved;
        let mut layout = Layout::default();
        layout.konst(&input.konst, Span::call_site(), quote!([#w, #h, #d]));
        let (fields, inits) = layout.seq(&model.root, nodes, &model.name.to_string(), false);
        layout.fields = fields;
        layout.inits = inits;
        layout
    }

    /// The shape constant `name`, defined as `value`, whose first and last tokens are at the
    /// layer's `span`: rustc's errors about it point at that layer, not at the whole macro
    /// call.
    fn konst(&mut self, name: &Ident, span: Span, value: TokenStream) {
        self.consts
            .push(quote_spanned!(span=> pub const #name: [usize; 3] = #value;));
    }

    fn seq(&mut self, root: &TokenStream, nodes: &[Node], prefix: &str, aux: bool) -> Fields {
        let (mut fields, mut inits) = (Vec::new(), Vec::new());
        for node in nodes {
            let name = &node.name;
            let at = located(node.span);
            let child = format!("{prefix}{}", camel(&name.to_string()));
            let (ty, init) = match &node.kind {
                NodeKind::Layer { ty, .. } => {
                    let layer = as_layer(root, ty, &node.input, at);
                    self.konst(&node.out.konst, at, quote_spanned!(at=> #layer::OUT));
                    self.params.push(quote!(#layer::PARAMS));
                    if aux {
                        self.aux_params.push(quote!(#layer::PARAMS));
                    }
                    self.flops.push(quote!(#layer::FLOPS));
                    self.buffers.push(quote!(#layer::BUFFERS));
                    if !aux {
                        let input = size(&node.input.konst, at);
                        let out = size(&node.out.konst, at);
                        let live = self.live.iter().map(|k| size(k, at));
                        self.peaks
                            .push(quote_spanned!(at=> #input + #out #(+ #live)*));
                        self.activations.push(out);
                    }
                    (ty.clone(), quote!(#layer::init(device)))
                }
                NodeKind::Residual { body, shortcut } => {
                    self.live.push(node.input.konst.clone());
                    let (mut fields, mut inits) = self.seq(root, body, &child, aux);
                    let short_out = match shortcut {
                        Some(nodes) => {
                            let prefix = format!("{child}Shortcut");
                            let short = self.seq(root, nodes, &prefix, aux);
                            let doc = "The projection shortcut of a residual block.";
                            let (ty, init) = self.block(&prefix, short, doc);
                            fields.push((format_ident!("shortcut"), ty));
                            inits.push(quote!(shortcut: #init));
                            &seq_out(nodes, &node.input).konst
                        }
                        None => &node.input.konst,
                    };
                    self.live.pop();
                    let b = &seq_out(body, &node.input).konst;
                    let out = &node.out.konst;
                    if !aux {
                        self.activations.push(size(b, at));
                    }
                    self.konst(out, at, join(root, at, b, short_out, "RESIDUAL"));
                    self.flops.push(join_flops(b));
                    self.block(&child, (fields, inits), "A residual block.")
                }
                NodeKind::Concat { branches } => {
                    let (mut fields, mut inits) = (Vec::new(), Vec::new());
                    let mut outs = Vec::new();
                    self.live.push(node.input.konst.clone());
                    for (branch, nodes) in branches {
                        let prefix = format!("{child}{}", camel(&branch.to_string()));
                        let layers = self.seq(root, nodes, &prefix, aux);
                        let doc = "A branch of a concatenation.";
                        let (ty, init) = self.block(&prefix, layers, doc);
                        fields.push((branch.clone(), ty));
                        inits.push(quote!(#branch: #init));
                        outs.push(seq_out(nodes, &node.input).konst.clone());
                    }
                    self.live.pop();
                    if !aux {
                        let parts = outs.iter().map(|k| size(k, at));
                        self.activations.push(quote_spanned!(at=> 0 #(+ #parts)*));
                    }
                    let mut joined = outs[0].clone();
                    for (branch, name) in outs[1..]
                        .iter()
                        .zip(partial_joins(&node.out.konst, outs.len()))
                    {
                        self.konst(&name, at, join(root, at, &joined, branch, "CONCAT"));
                        joined = name;
                    }
                    let doc = "A depth concatenation of branches.";
                    self.block(&child, (fields, inits), doc)
                }
                NodeKind::Aux { body, .. } => {
                    let layers = self.seq(root, body, &child, true);
                    self.block(&child, layers, "An auxiliary branch.")
                }
            };
            fields.push((name.clone(), ty));
            inits.push(quote!(#name: #init));
        }
        (fields, inits)
    }

    /// A struct named `name` for a nested block of `fields`, returning its type and its
    /// initialiser; blocks with the same fields share one struct.
    fn block(
        &mut self,
        name: &str,
        (fields, inits): Fields,
        doc: &str,
    ) -> (TokenStream, TokenStream) {
        let (names, types): (Vec<_>, Vec<_>) = fields.into_iter().unzip();
        let key = quote!(#(#names: #types,)* #doc).to_string();
        if let Some(name) = self.shared.get(&key) {
            return (quote!(#name), quote!(#name { #(#inits,)* }));
        }
        let name = format_ident!("{name}");
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
}
