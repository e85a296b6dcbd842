//! The `model!` macro: an architecture written as a list of layers becomes a typed burn module
//! whose every activation shape is checked at compile time.
//!
//! The macro evaluates kiln's shape rules (`kiln-shape`) itself wherever the architecture's
//! numbers are literals, so that a rejected layer gets an error on its own span that quotes the
//! numbers and the fixes. Everything it emits is also checked by the types (associated constants
//! evaluated by `cargo check`), so custom layers and named constants are checked too.
//!
//! It works in phases: `ast` parses, `resolve` builds a tree of nodes with their shapes and
//! collects every error of the model, and `emit`'s emitters write the module, the passes and
//! the summary from that tree.

#![warn(missing_docs)]

mod ast;
mod builtin;
mod emit;
mod num;
mod resolve;

use proc_macro::TokenStream;

/// Declares a typed model. See the `kiln` crate documentation for the grammar.
///
/// ```text
/// kiln::model! {
///     /// A small classifier.
///     pub struct Tiny {
///         input: [28, 28, 1],
///         conv1: conv(8, 3, pad = 1),
///         relu,
///         pool1: max_pool(2),
///         flatten,
///         fc: linear(10),
///     }
/// }
/// ```
#[proc_macro]
pub fn model(input: TokenStream) -> TokenStream {
    let model = syn::parse_macro_input!(input as ast::Model);
    expand(&model).into()
}

/// The code of `model`, or a compile error for each of its faults.
fn expand(model: &ast::Model) -> proc_macro2::TokenStream {
    match resolve::resolve(model) {
        Ok(resolved) => emit::emit(&resolved),
        Err(errors) => errors.to_compile_error(),
    }
}
