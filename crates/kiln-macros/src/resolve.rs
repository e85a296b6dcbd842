//! The resolve phase: the parsed items become a tree of nodes, each with its name, span, input
//! and output shapes and kind, and every error of the model is collected.
//!
//! A layer that its rule rejects still gets an output shape where one can be guessed (a side
//! rounded down), so that the layers after it are checked too: one `cargo check` reports every
//! bad layer. Errors found on such a guessed input say so.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use crate::ast::{Item, Kind, Model};
use crate::builtin::{Feed, builtin, on_guess};
use crate::num::Num;

/// `span`'s location with call-site name resolution: errors point at the layer, while the
/// generated `x` bindings stay visible to each other when the model comes from a
/// `macro_rules!` (whose local variables are hygienic).
pub fn located(span: Span) -> Span {
    span.resolved_at(Span::call_site())
}

/// An activation shape: the constant that will hold it and, when the macro could evaluate it,
/// its value.
#[derive(Clone)]
pub struct Shape {
    /// The generated constant `[W, H, D]`, named at the layer that defines it: rustc's notes
    /// about the constant's uses point there.
    pub konst: Ident,
    /// Its value, when every number that led to it is a literal.
    pub known: Option<[usize; 3]>,
    /// The layer after whose error this shape is a guess.
    guessed_after: Option<String>,
}

impl Shape {
    /// The three dims as const arguments: literals when known, else the constant's entries.
    pub fn dims(&self) -> [TokenStream; 3] {
        match self.known {
            Some(dims) => dims.map(|d| Num::lit(d).tokens),
            None => {
                let k = &self.konst;
                let at = k.span();
                [0, 1, 2].map(|i| {
                    let i = proc_macro2::Literal::usize_unsuffixed(i);
                    quote_spanned!(at=> { #k[#i] })
                })
            }
        }
    }

    /// The activation type `Act<W, H, D>` under `root`.
    pub fn act(&self, root: &TokenStream) -> TokenStream {
        let [w, h, d] = self.dims();
        quote!(#root::Act<#w, #h, #d>)
    }
}

/// One entry of the architecture, resolved.
pub struct Node {
    /// Its field name (given, or the layer kind and position: `relu2`).
    pub name: Ident,
    /// Where it is written.
    pub span: Span,
    /// Its input.
    pub input: Shape,
    /// Its output (an `aux` branch's node passes its input on).
    pub out: Shape,
    /// What it is.
    pub kind: NodeKind,
}

/// Which built-in layers `forward` runs as part of the layer before them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fold {
    /// None: it runs on its own.
    No,
    /// The built-in `relu`: fused into the layer before it where that one can take it.
    Relu,
    /// The built-in `batch_norm`: handed to the plain layer before it, which may fold it into
    /// its own output pass (a convolution does, in inference).
    Norm,
}

/// What a node is: one arm per construct in every emitter.
pub enum NodeKind {
    /// A layer of type `ty`: built-in or `layer(Type)`.
    Layer {
        /// The layer's type.
        ty: TokenStream,
        /// Whether `forward` runs it as part of the layer before it.
        folds: Fold,
    },
    /// A residual block: the body added to the shortcut (the identity when `None`).
    Residual {
        /// The residual branch.
        body: Vec<Node>,
        /// The projection shortcut, when declared.
        shortcut: Option<Vec<Node>>,
    },
    /// Branches fed the same input, concatenated along the depth.
    Concat {
        /// Each branch's name and layers.
        branches: Vec<(Ident, Vec<Node>)>,
    },
    /// An auxiliary branch (top level only), run by `forward_aux`.
    Aux {
        /// The branch's layers.
        body: Vec<Node>,
    },
}

/// A model, resolved: what the emitters need besides the parsed model itself.
pub struct Resolved<'a> {
    /// The model as parsed (its root path, attributes, visibility and name).
    pub model: &'a Model,
    /// The input `[W, H, D]` as written.
    pub input_dims: [TokenStream; 3],
    /// The input shape.
    pub input: Shape,
    /// The top-level nodes.
    pub nodes: Vec<Node>,
    /// The output shape.
    pub out: Shape,
}

/// The output of a sequence of `nodes` fed `input`.
pub fn seq_out<'a>(nodes: &'a [Node], input: &'a Shape) -> &'a Shape {
    nodes.last().map_or(input, |n| &n.out)
}

/// Resolves `model`, or returns every error in it.
pub fn resolve(model: &Model) -> syn::Result<Resolved<'_>> {
    let nums = [
        Num::expr(&model.input[0])?,
        Num::expr(&model.input[1])?,
        Num::expr(&model.input[2])?,
    ];
    let known = match nums.each_ref().map(|n| n.value) {
        [Some(w), Some(h), Some(d)] => Some([w, h, d]),
        _ => None,
    };
    let mut resolver = Resolver {
        root: &model.root,
        next: 0,
        errors: Vec::new(),
    };
    let input = resolver.shape(known, None, Span::call_site());
    let nodes = resolver.seq(&model.items, &input, false);
    let out = seq_out(&nodes, &input).clone();
    let mut errors = resolver.errors.into_iter();
    if let Some(mut first) = errors.next() {
        first.extend(errors);
        return Err(first);
    }
    Ok(Resolved {
        model,
        input_dims: nums.map(|n| n.tokens),
        input,
        nodes,
        out,
    })
}

/// The walk: shape constants numbered in order, errors collected.
struct Resolver<'a> {
    root: &'a TokenStream,
    next: usize,
    errors: Vec<syn::Error>,
}

impl Resolver<'_> {
    /// A new shape constant, defined by the layer at `span`.
    fn shape(
        &mut self,
        known: Option<[usize; 3]>,
        guessed_after: Option<String>,
        span: Span,
    ) -> Shape {
        let konst = format_ident!("S{}", self.next, span = located(span));
        self.next += 1;
        Shape {
            konst,
            known,
            guessed_after,
        }
    }

    /// Records the `errors` of node `name` and returns the layer after whose error its output
    /// is a guess: this one when it has errors, else `after` (the one its inputs follow).
    fn report(
        &mut self,
        name: &Ident,
        errors: Vec<syn::Error>,
        after: Option<String>,
    ) -> Option<String> {
        if errors.is_empty() {
            return after;
        }
        self.errors.extend(errors);
        Some(name.to_string())
    }

    fn seq(&mut self, items: &[Item], input: &Shape, nested: bool) -> Vec<Node> {
        let mut nodes: Vec<Node> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let input = seq_out(&nodes, input).clone();
            nodes.push(self.item(item, i + 1, input, nested));
        }
        nodes
    }

    fn item(&mut self, item: &Item, index: usize, input: Shape, nested: bool) -> Node {
        let auto = |word: &str| format_ident!("{word}{index}");
        let span = item.span;
        let named = |word: &str| item.name.clone().unwrap_or_else(|| auto(word));
        let (name, out, kind) = match &item.kind {
            Kind::Builtin { layer, args } => {
                let name = named(&layer.to_string());
                let depth = input.dims()[2].clone();
                let after = input.guessed_after.clone();
                let feed = Feed {
                    depth: &depth,
                    shape: input.known,
                    guessed: after.as_deref(),
                };
                let built = builtin(self.root, &name.to_string(), layer, args, &feed, span);
                let guessed = self.report(&name, built.errors, after);
                let out = self.shape(built.out, guessed, span);
                let folds = match layer.to_string().as_str() {
                    "relu" => Fold::Relu,
                    "batch_norm" => Fold::Norm,
                    _ => Fold::No,
                };
                (
                    name,
                    out,
                    NodeKind::Layer {
                        ty: built.ty,
                        folds,
                    },
                )
            }
            Kind::Custom(ty) => {
                let name = named("layer");
                let out = self.shape(None, input.guessed_after.clone(), span);
                let ty = quote!(#ty);
                (
                    name,
                    out,
                    NodeKind::Layer {
                        ty,
                        folds: Fold::No,
                    },
                )
            }
            Kind::Residual { body, shortcut } => {
                let name = named("residual");
                let body = self.seq(body, &input, true);
                let shortcut = shortcut.as_ref().map(|s| self.seq(s, &input, true));
                let (b, s) = (
                    seq_out(&body, &input),
                    seq_out(shortcut.as_deref().unwrap_or_default(), &input),
                );
                let after = [&input, b, s].iter().find_map(|x| x.guessed_after.clone());
                let mut errors = Vec::new();
                if let (Some(b), Some(s)) = (b.known, s.known)
                    && kiln_shape::residual(b, s).is_err()
                {
                    let text = kiln_shape::describe_residual(
                        &name.to_string(),
                        input.known,
                        b,
                        s,
                        shortcut.is_some(),
                    );
                    errors.push(on_guess(syn::Error::new(span, text), after.as_deref()));
                }
                let known = b.known;
                let guessed = self.report(&name, errors, after);
                let out = self.shape(known, guessed, span);
                (name, out, NodeKind::Residual { body, shortcut })
            }
            Kind::Concat { branches } => {
                let name = named("concat");
                let branches: Vec<(Ident, Vec<Node>)> = branches
                    .iter()
                    .map(|(branch, items)| (branch.clone(), self.seq(items, &input, true)))
                    .collect();
                let outs: Vec<&Shape> = branches
                    .iter()
                    .map(|(_, nodes)| seq_out(nodes, &input))
                    .collect();
                let after = outs.iter().find_map(|o| o.guessed_after.clone());
                let mut errors = Vec::new();
                let known = match outs.iter().map(|o| o.known).collect::<Option<Vec<_>>>() {
                    Some(known) => match kiln_shape::concat(&known) {
                        Ok(out) => Some(out),
                        Err(_) => {
                            let listed: Vec<(String, [usize; 3])> = branches
                                .iter()
                                .zip(known)
                                .map(|((b, _), s)| (b.to_string(), s))
                                .collect();
                            let text = kiln_shape::describe_concat(&name.to_string(), &listed);
                            errors.push(on_guess(syn::Error::new(span, text), after.as_deref()));
                            None
                        }
                    },
                    None => None,
                };
                let guessed = self.report(&name, errors, after);
                let out = self.shape(known, guessed, span);
                (name, out, NodeKind::Concat { branches })
            }
            Kind::Aux { body } => {
                let name = named("aux");
                if nested {
                    let text =
                        format!("{name}: an `aux` branch must sit at the top level of the model");
                    self.errors.push(syn::Error::new(span, text));
                }
                let body = self.seq(body, &input, true);
                (name, input.clone(), NodeKind::Aux { body })
            }
        };
        Node {
            name,
            span,
            input,
            out,
            kind,
        }
    }
}
