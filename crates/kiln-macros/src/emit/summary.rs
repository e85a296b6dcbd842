//! The summary emitter: one row per layer and per join, in the order they run.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

use super::{as_layer, join_flops};
use crate::resolve::{Node, NodeKind, seq_out};

/// The summary rows of `nodes`, whose names are prefixed with `path` (`layer1.0.`).
pub fn rows(root: &TokenStream, nodes: &[Node], path: &str) -> Vec<TokenStream> {
    let mut rows = Vec::new();
    for node in nodes {
        let name = format!("{path}{}", node.name);
        let inner = format!("{name}.");
        let out = &node.out.konst;
        match &node.kind {
            NodeKind::Layer { ty, .. } => {
                let layer = as_layer(root, ty, &node.input, proc_macro2::Span::call_site());
                rows.push(quote!(#root::SummaryRow {
                    name: #name.to_string(),
                    kind: #layer::describe(),
                    output: #out,
                    params: #layer::PARAMS,
                    flops: #layer::FLOPS,
                }));
            }
            NodeKind::Residual { body, shortcut } => {
                rows.extend(self::rows(root, body, &inner));
                if let Some(nodes) = shortcut {
                    rows.extend(self::rows(root, nodes, &format!("{inner}shortcut.")));
                }
                let branch = &seq_out(body, &node.input).konst;
                rows.push(join(root, &name, "residual add", out, join_flops(branch)));
            }
            NodeKind::Concat { branches } => {
                for (branch, nodes) in branches {
                    rows.extend(self::rows(root, nodes, &format!("{inner}{branch}.")));
                }
                rows.push(join(root, &name, "concat", out, quote!(0)));
            }
            NodeKind::Aux { body, .. } => rows.extend(self::rows(root, body, &inner)),
        }
    }
    rows
}

/// A join's row (a residual add or a concatenation): no parameters.
fn join(
    root: &TokenStream,
    name: &str,
    kind: &str,
    out: &Ident,
    flops: TokenStream,
) -> TokenStream {
    quote!(#root::SummaryRow {
        name: #name.to_string(),
        kind: #kind.to_string(),
        output: #out,
        params: 0,
        flops: #flops,
    })
}
