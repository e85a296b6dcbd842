//! The summary emitter: one row per layer and per join, in the order they run, each with the
//! blocks that enclose it.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

use super::{as_layer, join_flops};
use crate::resolve::{Node, NodeKind, seq_out};

/// The summary rows of `nodes`, whose names are prefixed with `path` (`layer1.0.`) and which
/// sit in the blocks `within` (each a `Within` expression, outermost first).
pub fn rows(
    root: &TokenStream,
    nodes: &[Node],
    path: &str,
    within: &[TokenStream],
) -> Vec<TokenStream> {
    let mut rows = Vec::new();
    for node in nodes {
        let name = format!("{path}{}", node.name);
        let inner = format!("{name}.");
        let out = &node.out.konst;
        // The blocks enclosing this node's parts: `within` and the node itself.
        let part = |part: TokenStream| -> Vec<TokenStream> {
            let mut deeper = within.to_vec();
            deeper.push(quote!(#root::Within { block: #name.to_string(), part: #part }));
            deeper
        };
        match &node.kind {
            NodeKind::Layer { ty, .. } => {
                let layer = as_layer(root, ty, &node.input, proc_macro2::Span::call_site());
                rows.push(quote!(#root::SummaryRow {
                    name: #name.to_string(),
                    role: #root::Role::Layer,
                    within: vec![#(#within),*],
                    kind: #layer::describe(),
                    output: #out,
                    params: #layer::PARAMS,
                    flops: #layer::FLOPS,
                }));
            }
            NodeKind::Residual { body, shortcut } => {
                let body_part = part(quote!(#root::Part::Body));
                rows.extend(self::rows(root, body, &inner, &body_part));
                if let Some(nodes) = shortcut {
                    let shortcut_part = part(quote!(#root::Part::Shortcut));
                    let path = format!("{inner}shortcut.");
                    rows.extend(self::rows(root, nodes, &path, &shortcut_part));
                }
                let branch = &seq_out(body, &node.input).konst;
                let role = quote!(#root::Role::ResidualAdd);
                let kind = "residual add";
                rows.push(join(
                    root,
                    &name,
                    role,
                    within,
                    kind,
                    out,
                    join_flops(branch),
                ));
            }
            NodeKind::Concat { branches } => {
                for (branch, nodes) in branches {
                    let label = branch.to_string();
                    let branch_part = part(quote!(#root::Part::Branch(#label.to_string())));
                    let path = format!("{inner}{branch}.");
                    rows.extend(self::rows(root, nodes, &path, &branch_part));
                }
                let role = quote!(#root::Role::Concat);
                rows.push(join(root, &name, role, within, "concat", out, quote!(0)));
            }
            NodeKind::Aux { body, .. } => {
                let aux_part = part(quote!(#root::Part::Aux));
                rows.extend(self::rows(root, body, &inner, &aux_part))
            }
        }
    }
    rows
}

/// A join's row (a residual add or a concatenation): no parameters.
fn join(
    root: &TokenStream,
    name: &str,
    role: TokenStream,
    within: &[TokenStream],
    kind: &str,
    out: &Ident,
    flops: TokenStream,
) -> TokenStream {
    quote!(#root::SummaryRow {
        name: #name.to_string(),
        role: #role,
        within: vec![#(#within),*],
        kind: #kind.to_string(),
        output: #out,
        params: 0,
        flops: #flops,
    })
}
