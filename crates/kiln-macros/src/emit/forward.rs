//! The forward emitter: the statements of `forward`, `forward_tapped` and `forward_aux`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::partial_joins;
use crate::resolve::{Fold, Node, NodeKind, located, seq_out};

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

/// One node of a sequence in the passes.
struct Step {
    /// The node's own statement: what `forward_tapped` runs.
    plain: TokenStream,
    /// What `forward` runs in its place: the statement; nothing, where the `relu` after it
    /// runs it fused; or, for that `relu`, the fused statement.
    fused: TokenStream,
}

impl Passes {
    /// The passes over the top-level `nodes`, whose fields are `self.<name>`.
    pub fn of(root: &TokenStream, nodes: &[Node]) -> Self {
        let mut passes = Passes {
            tapped: Vec::new(),
            fused: Vec::new(),
            with_aux: Vec::new(),
            aux: Vec::new(),
        };
        for (node, step) in nodes.iter().zip(steps(root, nodes, &quote!(self))) {
            passes.with_aux.push(step.fused.clone());
            if let NodeKind::Aux { body } = &node.kind {
                let act = seq_out(body, &node.input).act(root);
                passes.aux.push((node.name.clone(), act));
            } else {
                passes.tapped.push((step.plain, node.name.to_string()));
                passes.fused.push(step.fused);
            }
        }
        passes
    }
}

/// The steps of the sequence `nodes`, whose fields are `<access>.<name>`: a `batch_norm` runs
/// as part of the plain layer before it (`Act::apply_norm`), and
/// each `relu` runs fused into the node before it where that node can take it (never into an
/// auxiliary branch, which reads the activation between the two).
fn steps(root: &TokenStream, nodes: &[Node], access: &TokenStream) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    // The statement that runs the last step with a ReLU fused in, where it can take one.
    let mut previous: Option<TokenStream> = None;
    // The last node, while it is a plain layer that a batch norm can fold into.
    let mut plain_layer: Option<&Node> = None;
    for node in nodes {
        let Stmt {
            plain,
            mut with_relu,
        } = statement(root, node, access);
        let folds = match node.kind {
            NodeKind::Layer { folds, .. } => folds,
            _ => Fold::No,
        };
        let mut fused = plain.clone();
        match (folds, plain_layer.take(), previous.take()) {
            (Fold::Relu, _, Some(before)) => {
                steps
                    .last_mut()
                    .expect("a statement precedes the ReLU")
                    .fused = TokenStream::new();
                fused = before;
                with_relu = None;
            }
            (Fold::Norm, Some(layer), _) => {
                steps
                    .last_mut()
                    .expect("a layer precedes the batch norm")
                    .fused = TokenStream::new();
                let normed = |relu: bool| norm_statement(root, layer, node, access, relu);
                fused = normed(false);
                with_relu = Some(normed(true));
            }
            (Fold::No, _, _) if matches!(node.kind, NodeKind::Layer { .. }) => {
                plain_layer = Some(node);
            }
            _ => {}
        }
        previous = with_relu;
        steps.push(Step { plain, fused });
    }
    steps
}

/// The statement that runs `layer`, then the batch norm `norm` after it, then ReLU when
/// `relu`, as one call.
fn norm_statement(
    root: &TokenStream,
    layer: &Node,
    norm: &Node,
    access: &TokenStream,
    relu: bool,
) -> TokenStream {
    let (name, norm_name) = (&layer.name, &norm.name);
    let act = norm.out.act(root);
    let at = located(layer.span);
    quote_spanned!(at=> let x: #act = x.apply_norm(&#access.#name, &#access.#norm_name, #relu);)
}

/// What `forward` runs for the nested sequence `nodes` (a block's body or branch).
fn fused(root: &TokenStream, nodes: &[Node], access: &TokenStream) -> Vec<TokenStream> {
    steps(root, nodes, access)
        .into_iter()
        .map(|step| step.fused)
        .collect()
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
            let body = fused(root, body, &inner);
            let short = shortcut
                .as_deref()
                .map(|nodes| fused(root, nodes, &quote!(#inner.shortcut)))
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
                let stmts = fused(root, nodes, &quote!(#inner.#branch));
                quote!({ let x = x.clone(); #(#stmts)* x })
            });
            let vars: Vec<syn::Ident> = (0..branches.len())
                .map(|i| quote::format_ident!("branch{i}"))
                .collect();
            let outs: Vec<&syn::Ident> = branches
                .iter()
                .map(|(_, nodes)| &seq_out(nodes, &node.input).konst)
                .collect();
            // Each partial join is typed by its constant (see `partial_joins`).
            let first = &vars[0];
            let joins = vars[1..]
                .iter()
                .zip(&outs[1..])
                .zip(partial_joins(&node.out.konst, outs.len()))
                .map(|((var, k), joined)| {
                    quote!(
                        let #first: #root::Act<{ #joined[0] }, { #joined[1] }, { #joined[2] }> =
                            #first.concat::<{ #k[2] }, { #joined[2] }>(#var.same_shape());
                    )
                });
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
        // Run by `forward_aux` only (`Passes::of` leaves it out of the others); the resolver
        // rejects one anywhere but the top level.
        NodeKind::Aux { body } => {
            let stmts = fused(root, body, &quote!(#access.#name));
            let act = seq_out(body, &node.input).act(root);
            Stmt {
                plain: quote_spanned!(at=> let #name: #act = { let x = x.clone(); #(#stmts)* x };),
                with_relu: None,
            }
        }
    }
}
