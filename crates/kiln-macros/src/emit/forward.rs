//! The forward emitter: the statements of `forward`, `forward_tapped` and `forward_aux`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::resolve::{Node, NodeKind, located, seq_out};

/// The passes of a model's top level.
pub struct Passes {
    /// One statement per top-level node, for `forward_tapped`, with the node's name.
    pub tapped: Vec<(TokenStream, String)>,
    /// `forward`'s statements: a layer followed by `relu` runs as one `apply_relu` call (a
    /// fused kernel where the layer has one).
    pub fused: Vec<TokenStream>,
    /// `forward_aux`'s statements: `fused` with each auxiliary branch in its place.
    pub with_aux: Vec<TokenStream>,
    /// Each auxiliary branch's name and output type.
    pub aux: Vec<(syn::Ident, TokenStream)>,
}

/// One node's statement, and the same with a ReLU fused in where the node can take one.
struct Stmt {
    plain: TokenStream,
    with_relu: Option<TokenStream>,
}

impl Passes {
    /// The passes over the top-level `nodes`, whose fields are `self.<name>`.
    pub fn of(root: &TokenStream, nodes: &[Node]) -> Self {
        let access = quote!(self);
        let tapped = nodes
            .iter()
            .filter(|n| !matches!(n.kind, NodeKind::Aux { .. }))
            .map(|n| (statement(root, n, &access).plain, n.name.to_string()))
            .collect();
        let aux = nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::Aux { out, .. } => Some((n.name.clone(), out.act(root))),
                _ => None,
            })
            .collect();
        Passes {
            tapped,
            fused: fused(root, nodes, &access, false),
            with_aux: fused(root, nodes, &access, true),
            aux,
        }
    }
}

fn is_relu(node: &Node) -> bool {
    matches!(node.kind, NodeKind::Layer { relu: true, .. })
}

/// The statements of the sequence `nodes`, whose fields are `<access>.<name>`, with each
/// `relu` run fused into the node before it where that node can take it; auxiliary branches'
/// statements are included when `aux` (`forward_aux`), and no ReLU fuses across one (the
/// branch reads the activation between the two).
fn fused(root: &TokenStream, nodes: &[Node], access: &TokenStream, aux: bool) -> Vec<TokenStream> {
    let mut out: Vec<TokenStream> = Vec::new();
    let mut previous: Option<TokenStream> = None;
    for node in nodes {
        if let NodeKind::Aux { body, out: branch } = &node.kind {
            let name = &node.name;
            let act = branch.act(root);
            let stmts = fused(root, body, &quote!(#access.#name), false);
            if aux {
                out.push(quote_spanned!(located(node.span)=>
                    let #name: #act = { let x = x.clone(); #(#stmts)* x };
                ));
            }
            previous = None;
            continue;
        }
        let stmt = statement(root, node, access);
        match (is_relu(node), previous.take()) {
            (true, Some(with_relu)) => {
                *out.last_mut().expect("a statement precedes the ReLU") = TokenStream::new();
                out.push(with_relu);
            }
            _ => {
                out.push(stmt.plain);
                previous = stmt.with_relu;
            }
        }
    }
    out
}

/// The statement that runs `node` on `x`, its fields at `<access>.<name>`.
fn statement(root: &TokenStream, node: &Node, access: &TokenStream) -> Stmt {
    let name = &node.name;
    let at = located(node.span);
    let act = node.out.act(root);
    match &node.kind {
        NodeKind::Layer { .. } => Stmt {
            plain: quote_spanned!(at=> let x: #act = x.apply(&#access.#name);),
            with_relu: Some(quote_spanned!(at=> let x: #act = x.apply_relu(&#access.#name);)),
        },
        NodeKind::Residual { body, shortcut } => {
            let inner = quote!(#access.#name);
            let body = fused(root, body, &inner, false);
            let short = shortcut
                .as_deref()
                .map(|nodes| fused(root, nodes, &quote!(#inner.shortcut), false))
                .unwrap_or_default();
            let block = |join: TokenStream| {
                quote_spanned!(at=>
                    let x: #act = {
                        let shortcut = { let x = x.clone(); #(#short)* x };
                        let x = { #(#body)* x };
                        #join
                    };
                )
            };
            Stmt {
                plain: block(quote_spanned!(at=> x + shortcut.same_shape())),
                with_relu: Some(block(
                    quote_spanned!(at=> x.add_relu(shortcut.same_shape())),
                )),
            }
        }
        NodeKind::Concat { branches } => {
            let inner = quote!(#access.#name);
            let blocks = branches.iter().map(|(branch, nodes)| {
                let stmts = fused(root, nodes, &quote!(#inner.#branch), false);
                quote!({ let x = x.clone(); #(#stmts)* x })
            });
            let vars: Vec<syn::Ident> = (0..branches.len())
                .map(|i| quote::format_ident!("branch{i}"))
                .collect();
            let outs: Vec<&syn::Ident> = branches
                .iter()
                .map(|(_, nodes)| &seq_out(nodes, &node.input).konst)
                .collect();
            let (first, k0) = (&vars[0], outs[0]);
            let mut depth = quote!(#k0[2]);
            let mut joins = Vec::new();
            for (var, k) in vars[1..].iter().zip(&outs[1..]) {
                depth = quote!(#depth + #k[2]);
                joins.push(quote!(
                    let #first: #root::Act<{ #k0[0] }, { #k0[1] }, { #depth }> =
                        #first.concat::<{ #k[2] }, { #depth }>(#var.same_shape());
                ));
            }
            Stmt {
                plain: quote_spanned!(at=>
                    let x: #act = {
                        #(let #vars = #blocks;)*
                        #(#joins)*
                        #first
                    };
                ),
                with_relu: None,
            }
        }
        // The resolver rejects an `aux` anywhere but the top level, where `fused` runs it.
        NodeKind::Aux { .. } => unreachable!("an aux branch is not a statement of its sequence"),
    }
}
