//! The architecture grammar and its parser.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Ident, Token, Type, Visibility, braced, bracketed, parenthesized};

/// `#[attrs] vis struct Name { input: [W, H, D], items… }`
pub struct Model {
    /// The path generated code uses for kiln (`::kiln`, or `#[kiln(crate = path)]`).
    pub root: TokenStream,
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub input: [Expr; 3],
    pub items: Vec<Item>,
}

/// One entry of a sequence: a layer or a composite block, optionally named.
pub struct Item {
    pub name: Option<Ident>,
    pub kind: Kind,
    pub span: Span,
}

/// What an entry is.
pub enum Kind {
    /// A built-in layer (`conv(…)`, `relu`, …).
    Builtin { layer: Ident, args: Vec<Arg> },
    /// A user-defined layer: `layer(Type)`.
    Custom(Box<Type>),
    /// `residual { … }` with an optional `shortcut { … }`.
    Residual {
        body: Vec<Item>,
        shortcut: Option<Vec<Item>>,
    },
    /// `concat { name { … }, … }`.
    Concat { branches: Vec<(Ident, Vec<Item>)> },
}

/// A layer argument: positional or `key = value`.
pub struct Arg {
    pub key: Option<Ident>,
    pub value: Expr,
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Ident) && input.peek2(Token![=]) {
            let key: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            Ok(Arg {
                key: Some(key),
                value: input.parse()?,
            })
        } else {
            Ok(Arg {
                key: None,
                value: input.parse()?,
            })
        }
    }
}

fn parse_items(input: ParseStream) -> syn::Result<Vec<Item>> {
    let items = Punctuated::<Item, Token![,]>::parse_terminated(input)?;
    Ok(items.into_iter().collect())
}

fn parse_block(input: ParseStream) -> syn::Result<Vec<Item>> {
    let content;
    braced!(content in input);
    parse_items(&content)
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let span = input.span();
        let name = if input.peek(Ident) && input.peek2(Token![:]) && !input.peek2(Token![::]) {
            let name: Ident = input.parse()?;
            input.parse::<Token![:]>()?;
            Some(name)
        } else {
            None
        };
        let layer: Ident = input.parse()?;
        let kind = match layer.to_string().as_str() {
            "residual" => {
                let body = parse_block(input)?;
                let shortcut = if input.peek(Ident) {
                    let word: Ident = input.parse()?;
                    if word != "shortcut" {
                        return Err(syn::Error::new(word.span(), "expected `shortcut { … }`"));
                    }
                    Some(parse_block(input)?)
                } else {
                    None
                };
                Kind::Residual { body, shortcut }
            }
            "concat" => {
                let content;
                braced!(content in input);
                let mut branches = Vec::new();
                while !content.is_empty() {
                    let branch: Ident = content.parse()?;
                    branches.push((branch, parse_block(&content)?));
                    if !content.is_empty() {
                        content.parse::<Token![,]>()?;
                    }
                }
                if branches.len() < 2 {
                    return Err(syn::Error::new(
                        layer.span(),
                        "concat needs at least two branches",
                    ));
                }
                Kind::Concat { branches }
            }
            "layer" => {
                let content;
                parenthesized!(content in input);
                Kind::Custom(Box::new(content.parse()?))
            }
            _ => {
                let args = if input.peek(syn::token::Paren) {
                    let content;
                    parenthesized!(content in input);
                    Punctuated::<Arg, Token![,]>::parse_terminated(&content)?
                        .into_iter()
                        .collect()
                } else {
                    Vec::new()
                };
                Kind::Builtin { layer, args }
            }
        };
        Ok(Item { name, kind, span })
    }
}

impl Parse for Model {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut attrs = input.call(Attribute::parse_outer)?;
        let mut root = quote!(::kiln);
        if let Some(at) = attrs.iter().position(|a| a.path().is_ident("kiln")) {
            attrs.remove(at).parse_nested_meta(|meta| {
                if meta.path.is_ident("crate") {
                    root = meta.value()?.parse::<syn::Path>()?.into_token_stream();
                    Ok(())
                } else {
                    Err(meta.error("expected `crate = path`"))
                }
            })?;
        }
        let vis: Visibility = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        let content;
        braced!(content in input);
        let key: Ident = content.parse()?;
        if key != "input" {
            return Err(syn::Error::new(
                key.span(),
                "a model starts with `input: [W, H, D]`",
            ));
        }
        content.parse::<Token![:]>()?;
        let dims;
        bracketed!(dims in content);
        let dims: Vec<Expr> = Punctuated::<Expr, Token![,]>::parse_terminated(&dims)?
            .into_iter()
            .collect();
        let input_dims: [Expr; 3] = dims
            .try_into()
            .map_err(|_| syn::Error::new(key.span(), "`input` takes [W, H, D]"))?;
        if content.is_empty() {
            return Err(syn::Error::new(
                name.span(),
                "a model needs at least one layer",
            ));
        }
        content.parse::<Token![,]>()?;
        let items = parse_items(&content)?;
        if items.is_empty() {
            return Err(syn::Error::new(
                name.span(),
                "a model needs at least one layer",
            ));
        }
        Ok(Model {
            root,
            attrs,
            vis,
            name,
            input: input_dims,
            items,
        })
    }
}
