//! Built-in layers: their types, and their shape rules (kiln-shape's) evaluated at expansion
//! time.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Expr, Ident, Lit};

use kiln_shape::{
    LayerError, Rounding, Window, adaptive_pool, check_filters, describe, dropout_basis_points,
    eps_nano, flatten, global_pool, identity_window, linear, pad_identity, pool_padding_fits,
    window_out,
};

use crate::ast::Arg;
use crate::num::Num;

/// A built-in layer resolved against its input: its type, its output shape when every number
/// is known, and the errors of its arguments and its shape rule.
///
/// After a rule's error the output is a guess (a non-whole window side rounded down, a linear
/// layer's 1×1×M), so that the layers after it are still checked; `None` where nothing sensible
/// can be guessed.
pub struct Built {
    /// The layer's type (empty when its arguments are wrong).
    pub ty: TokenStream,
    /// Its output shape `[W, H, D]`, when known or guessed.
    pub out: Option<[usize; 3]>,
    /// What is wrong with it.
    pub errors: Vec<syn::Error>,
}

/// The arguments of one layer, consumed as they are read so that leftovers can be reported.
struct Args<'a> {
    layer: &'a Ident,
    positional: Vec<&'a Expr>,
    keyed: Vec<(&'a Ident, &'a Expr)>,
}

impl<'a> Args<'a> {
    fn new(layer: &'a Ident, args: &'a [Arg]) -> Self {
        let positional = args
            .iter()
            .filter(|a| a.key.is_none())
            .map(|a| &a.value)
            .collect();
        let keyed = args
            .iter()
            .filter_map(|a| a.key.as_ref().map(|k| (k, &a.value)))
            .collect();
        Args {
            layer,
            positional,
            keyed,
        }
    }

    fn positional(&mut self, what: &str) -> syn::Result<&'a Expr> {
        if self.positional.is_empty() {
            return Err(syn::Error::new(
                self.layer.span(),
                format!("`{}` needs {what}", self.layer),
            ));
        }
        Ok(self.positional.remove(0))
    }

    fn keyed(&mut self, key: &str) -> Option<&'a Expr> {
        let at = self.keyed.iter().position(|(k, _)| *k == key)?;
        Some(self.keyed.remove(at).1)
    }

    fn num(&mut self, key: &str, default: Num) -> syn::Result<Num> {
        self.keyed(key).map_or(Ok(default), Num::expr)
    }

    fn word(&mut self, key: &str, allowed: &[&str]) -> syn::Result<Option<String>> {
        let Some(expr) = self.keyed(key) else {
            return Ok(None);
        };
        let word = match expr {
            Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
            Expr::Lit(syn::ExprLit {
                lit: Lit::Bool(b), ..
            }) => Some(b.value.to_string()),
            _ => None,
        };
        match word {
            Some(word) if allowed.contains(&word.as_str()) => Ok(Some(word)),
            _ => Err(syn::Error::new_spanned(
                expr,
                format!("`{key}` takes one of: {}", allowed.join(", ")),
            )),
        }
    }

    fn rounding(&mut self) -> syn::Result<Rounding> {
        Ok(
            match self.word("round", &["exact", "floor", "ceil"])?.as_deref() {
                Some("floor") => Rounding::Floor,
                Some("ceil") => Rounding::Ceil,
                _ => Rounding::Exact,
            },
        )
    }

    fn finish(self, options: &str) -> syn::Result<()> {
        if let Some(extra) = self.positional.first() {
            return Err(syn::Error::new_spanned(
                extra,
                format!("`{}` takes no further positional argument", self.layer),
            ));
        }
        if let Some((key, _)) = self.keyed.first() {
            return Err(syn::Error::new(
                key.span(),
                format!("`{}` has no option `{key}`; options: {options}", self.layer),
            ));
        }
        Ok(())
    }
}

/// The value of a literal number such as `0.5` or `1e-3`; `what` names it in the error.
fn literal_fraction(expr: &Expr, what: &str) -> syn::Result<f64> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Float(f), ..
        }) => f.base10_parse::<f64>(),
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse::<f64>(),
        other => Err(syn::Error::new_spanned(
            other,
            format!("{what} must be a literal number"),
        )),
    }
}

/// `error`, noting that the input it was found on is a guess after the error at layer
/// `guessed` (when it is).
pub fn on_guess(error: syn::Error, guessed: Option<&str>) -> syn::Error {
    match guessed {
        Some(layer) => syn::Error::new(
            error.span(),
            format!("{error} (its input is a guess after the error at `{layer}`)"),
        ),
        None => error,
    }
}

/// A layer rule's error as a compile error at the layer: its name, then the rule's numbers.
fn layer_error(name: &str, span: Span, error: LayerError) -> syn::Error {
    syn::Error::new(span, format!("{name}: {error}"))
}

fn rounding_type(root: &TokenStream, rounding: Rounding) -> TokenStream {
    match rounding {
        Rounding::Exact => quote!(#root::Exact),
        Rounding::Floor => quote!(#root::Floor),
        Rounding::Ceil => quote!(#root::Ceil),
    }
}

/// The output sides of a window over `feed` along both axes, or `None` when a number is
/// unknown. The first side the rule rejects adds the error that names the layer, the numbers
/// and the fixes to `errors` (one error per layer: a square input would repeat it for the
/// height); a rejected side is guessed rounded down.
fn window_sides(
    layer: &str,
    span: Span,
    feed: &Feed,
    win: [&Num; 4],
    rounding: Rounding,
    errors: &mut Vec<syn::Error>,
) -> Option<[usize; 2]> {
    let (Some(input), [Some(filter), Some(stride), Some(padding), Some(dilation)]) =
        (feed.shape, win.map(|n| n.value))
    else {
        return None;
    };
    let window = Window {
        filter,
        stride,
        padding,
        dilation,
        rounding,
    };
    let (mut out, mut reported) = ([0; 2], false);
    for (axis, (side, slot)) in ["width", "height"]
        .into_iter()
        .zip(input.iter().zip(&mut out))
    {
        *slot = match window_out(*side, window) {
            Ok(v) => v,
            Err(e) => {
                if !reported {
                    let text = describe(layer, axis, *side, window, e);
                    errors.push(on_guess(syn::Error::new(span, text), feed.guessed));
                    reported = true;
                }
                let floor = Window {
                    rounding: Rounding::Floor,
                    ..window
                };
                window_out(*side, floor).ok()?
            }
        };
    }
    Some(out)
}

/// What a built-in layer is fed: the input's depth as tokens, its shape when known, and the
/// layer after whose error that shape is a guess (if it is one).
pub struct Feed<'a> {
    /// The input depth in generated code.
    pub depth: &'a TokenStream,
    /// The input shape, when known.
    pub shape: Option<[usize; 3]>,
    /// The layer after whose error `shape` is a guess.
    pub guessed: Option<&'a str>,
}

/// Resolves built-in layer `layer(args…)` named `name`, written at `span`, against its input
/// `feed`; generated paths start at `root`. Every error is in the result's `errors`.
pub fn builtin(
    root: &TokenStream,
    name: &str,
    layer: &Ident,
    args: &[Arg],
    feed: &Feed,
    span: Span,
) -> Built {
    let mut errors = Vec::new();
    match layer_of(root, name, layer, args, feed, span, &mut errors) {
        Ok((ty, out)) => Built { ty, out, errors },
        Err(e) => {
            errors.push(e);
            Built {
                ty: TokenStream::new(),
                out: None,
                errors,
            }
        }
    }
}

/// [`builtin`]'s work: the type and output shape, or an argument's error; a shape rule's
/// error goes to `errors` and the output is guessed.
fn layer_of(
    root: &TokenStream,
    name: &str,
    layer: &Ident,
    args: &[Arg],
    feed: &Feed,
    span: Span,
    errors: &mut Vec<syn::Error>,
) -> syn::Result<(TokenStream, Option<[usize; 3]>)> {
    let &Feed {
        depth,
        shape: input,
        guessed,
    } = feed;
    let mut a = Args::new(layer, args);
    let same = |ty: TokenStream| (ty, input);
    let built = match layer.to_string().as_str() {
        "conv" => {
            let k = Num::expr(a.positional("the number of filters K")?)?;
            let f = Num::expr(a.positional("the filter extent F")?)?;
            let s = a.num("stride", Num::lit(1))?;
            let p = a.num("pad", Num::lit(0))?;
            let d = a.num("dilation", Num::lit(1))?;
            let g = a.num("groups", Num::lit(1))?;
            let bias = a
                .word("bias", &["true", "false"])?
                .is_none_or(|b| b == "true");
            let edge = a
                .word("pad_mode", &["zeros", "edge"])?
                .is_some_and(|m| m == "edge");
            let rounding = a.rounding()?;
            a.finish("stride, pad, dilation, groups, bias, pad_mode, round")?;
            if let (Some(g), Some(k), Some([_, _, d])) = (g.value, k.value, input)
                && let Err(e) = check_filters(d, k, g)
            {
                let error = syn::Error::new(span, format!("{name}: {e}"));
                errors.push(on_guess(error, guessed));
            }
            let win = [&f, &s, &p, &d];
            let sides = window_sides(name, span, feed, win, rounding, errors);
            let out = sides.zip(k.value).map(|([w, h], k)| [w, h, k]);
            let (kt, ft, st, pt, dt, gt) =
                (k.tokens, f.tokens, s.tokens, p.tokens, d.tokens, g.tokens);
            let r = rounding_type(root, rounding);
            let m = if edge {
                quote!(#root::layers::EdgePad)
            } else {
                quote!(#root::layers::ZeroPad)
            };
            let ty = quote!(#root::layers::Conv2d<#depth, #kt, #ft, #st, #pt,
                #root::layers::Opts<#r, #dt, #gt, #bias, #m>>);
            (ty, out)
        }
        kind @ ("max_pool" | "avg_pool") => {
            let f = Num::expr(a.positional("the window extent F")?)?;
            let s = a.num("stride", f.clone())?;
            let p = a.num("pad", Num::lit(0))?;
            let rounding = a.rounding()?;
            a.finish("stride, pad, round")?;
            if let (Some(f), Some(p)) = (f.value, p.value)
                && !pool_padding_fits(f, p)
            {
                errors.push(syn::Error::new(
                    span,
                    format!(
                        "{name}: padding {p} is more than half the {f}-wide window; use pad <= {}",
                        f / 2
                    ),
                ));
            }
            let win = [&f, &s, &p, &Num::lit(1)];
            let sides = window_sides(name, span, feed, win, rounding, errors);
            let out = sides.zip(input).map(|([w, h], i)| [w, h, i[2]]);
            let (ft, st, pt) = (f.tokens, s.tokens, p.tokens);
            let r = rounding_type(root, rounding);
            let ty = if kind == "max_pool" {
                quote!(#root::layers::MaxPool2d<#ft, #st, #pt, #r>)
            } else {
                quote!(#root::layers::AvgPool2d<#ft, #st, #pt, #r>)
            };
            (ty, out)
        }
        "global_avg_pool" => {
            a.finish("none")?;
            (quote!(#root::layers::GlobalAvgPool), input.map(global_pool))
        }
        "batch_norm" => {
            let eps = a
                .keyed("eps")
                .map(|e| literal_fraction(e, "eps"))
                .transpose()?;
            a.finish("eps")?;
            match eps.map(eps_nano).transpose() {
                Ok(Some(nano)) => {
                    let nano = proc_macro2::Literal::usize_unsuffixed(nano);
                    same(quote!(#root::layers::BatchNorm<#depth, #nano>))
                }
                Ok(None) => same(quote!(#root::layers::BatchNorm<#depth>)),
                Err(e) => {
                    errors.push(layer_error(name, span, e));
                    same(TokenStream::new())
                }
            }
        }
        "adaptive_avg_pool" => {
            let w = Num::expr(a.positional("the output width")?)?;
            let h = match a.positional.first() {
                Some(_) => Num::expr(a.positional("the output height")?)?,
                None => w.clone(),
            };
            a.finish("none")?;
            let out = match (input, w.value.zip(h.value)) {
                // The rule reads only the input's depth: its sides are checked without it.
                (input, Some((w, h))) => match adaptive_pool(input.unwrap_or([1, 1, 1]), [w, h]) {
                    Ok(out) => input.map(|_| out),
                    Err(e) => {
                        errors.push(layer_error(name, span, e));
                        None
                    }
                },
                (_, None) => None,
            };
            let (wt, ht) = (w.tokens, h.tokens);
            (quote!(#root::layers::AdaptiveAvgPool<#wt, #ht>), out)
        }
        "pad_identity" => {
            let k = Num::expr(a.positional("the output depth K")?)?;
            let s = a.num("stride", Num::lit(1))?;
            a.finish("stride")?;
            let out = match (input, k.value, s.value) {
                (Some(input), Some(k), Some(stride)) => match pad_identity(input, k, stride) {
                    Ok(out) => Some(out),
                    Err(LayerError::Sampling(e)) => {
                        let text = describe(name, "width", input[0], identity_window(stride), e);
                        errors.push(on_guess(syn::Error::new(span, text), guessed));
                        None
                    }
                    Err(e) => {
                        errors.push(on_guess(layer_error(name, span, e), guessed));
                        None
                    }
                },
                _ => None,
            };
            let (kt, st) = (k.tokens, s.tokens);
            (quote!(#root::layers::PadIdentity<#kt, #st>), out)
        }
        "relu" | "sigmoid" | "tanh" | "gelu" => {
            a.finish("none")?;
            let ty = match layer.to_string().as_str() {
                "relu" => quote!(#root::layers::Relu),
                "sigmoid" => quote!(#root::layers::Sigmoid),
                "tanh" => quote!(#root::layers::Tanh),
                _ => quote!(#root::layers::Gelu),
            };
            same(ty)
        }
        "dropout" => {
            let prob = a.positional("a probability, e.g. dropout(0.5)")?;
            a.finish("none")?;
            let value = literal_fraction(prob, "dropout probability")?;
            match dropout_basis_points(value) {
                Ok(bp) => {
                    let bp = proc_macro2::Literal::usize_unsuffixed(bp);
                    same(quote!(#root::layers::Dropout<#bp>))
                }
                Err(e) => {
                    errors.push(syn::Error::new_spanned(prob, format!("{name}: {e}")));
                    same(TokenStream::new())
                }
            }
        }
        "flatten" => {
            a.finish("none")?;
            (quote!(#root::layers::Flatten), input.map(flatten))
        }
        "linear" => {
            let m = Num::expr(a.positional("the number of outputs")?)?;
            let bias = a
                .word("bias", &["true", "false"])?
                .is_none_or(|b| b == "true");
            a.finish("bias")?;
            // Each number is checked as soon as it is known: the input's sides, the outputs.
            // After an error the output is guessed 1×1×M, as a linear layer's always is.
            let out = match linear(input.unwrap_or([1, 1, 1]), m.value.unwrap_or(1)) {
                Ok(out) => input.zip(m.value).map(|_| out),
                Err(e @ LayerError::NotFlat { .. }) => {
                    errors.push(on_guess(layer_error(name, span, e), guessed));
                    m.value.map(|m| [1, 1, m])
                }
                Err(e) => {
                    errors.push(layer_error(name, span, e));
                    None
                }
            };
            let mt = m.tokens;
            (quote!(#root::layers::Linear<#depth, #mt, #bias>), out)
        }
        other => {
            return Err(syn::Error::new(
                layer.span(),
                format!(
                    "unknown layer `{other}`; built-in layers: conv, max_pool, avg_pool, \
                     global_avg_pool, adaptive_avg_pool, batch_norm, relu, sigmoid, tanh, gelu, \
                     dropout, flatten, linear, pad_identity, residual, concat, repeat, \
                     numbered, aux; a custom layer is written `layer(Type)`"
                ),
            ));
        }
    };
    Ok(built)
}
