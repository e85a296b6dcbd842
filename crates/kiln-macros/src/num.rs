//! A number of the architecture: its tokens, and its value when it is a literal.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, Lit};

/// A number as written in the model: a literal the macro can evaluate, or an expression (a
/// named constant) left to the types.
#[derive(Clone)]
pub struct Num {
    /// The tokens that stand for it in generated code.
    pub tokens: TokenStream,
    /// Its value, when it is a literal.
    pub value: Option<usize>,
}

impl Num {
    /// The literal `value`.
    pub fn lit(value: usize) -> Self {
        let lit = proc_macro2::Literal::usize_unsuffixed(value);
        Num {
            tokens: quote!(#lit),
            value: Some(value),
        }
    }

    /// `expr` as a number: a whole literal, or an expression evaluated by the compiler.
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
