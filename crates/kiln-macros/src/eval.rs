//! Built-in layers: their types, and the shape rule evaluated at expansion time.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Expr, Ident, Lit};

use kiln_shape::{
    LayerError, Rounding, Window, adaptive_pool, check_filters, describe, dropout_basis_points,
    eps_nano, flatten, global_pool, identity_window, linear, pad_identity, pool_padding_fits,
    window_out,
};

use crate::ast::Arg;

/// A number of the architecture: its tokens, and its value when it is a literal.
#[derive(Clone)]
pub struct Num {
    pub tokens: TokenStream,
    pub value: Option<usize>,
}

impl Num {
    pub fn lit(value: usize) -> Self {
        let lit = proc_macro2::Literal::usize_unsuffixed(value);
        Num {
            tokens: quote!(#lit),
            value: Some(value),
        }
    }

    pub fn expr(expr: &Expr) -> syn::Result<Self> {
        match expr {
            // A number passed through a `macro_rules!` fragment arrives wrapped in a group.
            Expr::Group(group) => Num::expr(&group.expr),
            Expr::Lit(lit) => match &lit.lit {
                Lit::Int(int) => Ok(Num::lit(int.base10_parse()?)),
                other => Err(syn::Error::new(other.span(), "expected a whole number")),
            },
            other => Ok(Num {
                tokens: quote!({ #other }),
                value: None,
            }),
        }
    }
}

/// A built-in layer resolved against its input: its type and, when every number is known,
/// its output shape.
pub struct Built {
    pub ty: TokenStream,
    pub out: Option<[usize; 3]>,
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

/// The output side of a window along both axes, or the error that names the layer, the numbers
/// and the fixes.
fn window_shape(
    layer: &str,
    span: Span,
    input: Option<[usize; 3]>,
    win: [&Num; 4],
    rounding: Rounding,
) -> syn::Result<Option<[usize; 2]>> {
    let (Some(input), [Some(filter), Some(stride), Some(padding), Some(dilation)]) =
        (input, win.map(|n| n.value))
    else {
        return Ok(None);
    };
    let window = Window {
        filter,
        stride,
        padding,
        dilation,
        rounding,
    };
    let mut out = [0; 2];
    for (axis, (side, slot)) in ["width", "height"]
        .into_iter()
        .zip(input.iter().zip(&mut out))
    {
        match window_out(*side, window) {
            Ok(v) => *slot = v,
            Err(e) => {
                return Err(syn::Error::new(
                    span,
                    describe(layer, axis, *side, window, e),
                ));
            }
        }
    }
    Ok(Some(out))
}

/// Resolves built-in layer `layer(args…)` named `name` against an input of depth tokens `depth`
/// and, when known, shape `input`; generated paths start at `root`.
pub fn builtin(
    root: &TokenStream,
    name: &str,
    layer: &Ident,
    args: &[Arg],
    depth: &TokenStream,
    input: Option<[usize; 3]>,
    span: Span,
) -> syn::Result<Built> {
    let mut a = Args::new(layer, args);
    let same = |ty: TokenStream| Built { ty, out: input };
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
                return Err(syn::Error::new(span, format!("{name}: {e}")));
            }
            let sides = window_shape(name, span, input, [&f, &s, &p, &d], rounding)?;
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
            Built { ty, out }
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
                return Err(syn::Error::new(
                    span,
                    format!(
                        "{name}: padding {p} is more than half the {f}-wide window; use pad <= {}",
                        f / 2
                    ),
                ));
            }
            let sides = window_shape(name, span, input, [&f, &s, &p, &Num::lit(1)], rounding)?;
            let out = sides.zip(input).map(|([w, h], i)| [w, h, i[2]]);
            let (ft, st, pt) = (f.tokens, s.tokens, p.tokens);
            let r = rounding_type(root, rounding);
            let ty = if kind == "max_pool" {
                quote!(#root::layers::MaxPool2d<#ft, #st, #pt, #r>)
            } else {
                quote!(#root::layers::AvgPool2d<#ft, #st, #pt, #r>)
            };
            Built { ty, out }
        }
        "global_avg_pool" => {
            a.finish("none")?;
            Built {
                ty: quote!(#root::layers::GlobalAvgPool),
                out: input.map(global_pool),
            }
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
                Err(e) => return Err(layer_error(name, span, e)),
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
                (input, Some((w, h))) => {
                    let out = adaptive_pool(input.unwrap_or([1, 1, 1]), [w, h])
                        .map_err(|e| layer_error(name, span, e))?;
                    input.map(|_| out)
                }
                (_, None) => None,
            };
            let (wt, ht) = (w.tokens, h.tokens);
            Built {
                ty: quote!(#root::layers::AdaptiveAvgPool<#wt, #ht>),
                out,
            }
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
                        return Err(syn::Error::new(span, text));
                    }
                    Err(e) => return Err(layer_error(name, span, e)),
                },
                _ => None,
            };
            let (kt, st) = (k.tokens, s.tokens);
            Built {
                ty: quote!(#root::layers::PadIdentity<#kt, #st>),
                out,
            }
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
            let bp = dropout_basis_points(value)
                .map_err(|e| syn::Error::new_spanned(prob, format!("{name}: {e}")))?;
            let bp = proc_macro2::Literal::usize_unsuffixed(bp);
            same(quote!(#root::layers::Dropout<#bp>))
        }
        "flatten" => {
            a.finish("none")?;
            Built {
                ty: quote!(#root::layers::Flatten),
                out: input.map(flatten),
            }
        }
        "linear" => {
            let m = Num::expr(a.positional("the number of outputs")?)?;
            let bias = a
                .word("bias", &["true", "false"])?
                .is_none_or(|b| b == "true");
            a.finish("bias")?;
            // Each number is checked as soon as it is known: the input's sides, the outputs.
            let out = linear(input.unwrap_or([1, 1, 1]), m.value.unwrap_or(1))
                .map_err(|e| layer_error(name, span, e))?;
            let out = input.zip(m.value).map(|_| out);
            let mt = m.tokens;
            Built {
                ty: quote!(#root::layers::Linear<#depth, #mt, #bias>),
                out,
            }
        }
        other => {
            return Err(syn::Error::new(
                layer.span(),
                format!(
                    "unknown layer `{other}`; built-in layers: conv, max_pool, avg_pool, \
                     global_avg_pool, adaptive_avg_pool, batch_norm, relu, sigmoid, tanh, gelu, dropout, flatten, \
                     linear, pad_identity, residual, concat, repeat, aux; a custom layer is written `layer(Type)`"
                ),
            ));
        }
    };
    Ok(built)
}
