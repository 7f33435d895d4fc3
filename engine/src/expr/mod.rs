//! Derived quantities written as arithmetic over named parameters.
//!
//! A scenario may define a quantity as a formula such as `c_proph * 12 * (1 - p_resp)`,
//! `if(age > 65, hr_old, 1.0)` or `min(1, max(0, p - 0.1))`. Such a formula goes through three
//! stages:
//!
//! 1. [`Ast::parse`] turns the text into a syntax tree, reporting problems as an [`ExprError`]
//!    located at the offending byte range so that the scenario loader can underline it.
//! 2. [`Ast::compile`] resolves each name to a slot index (the caller decides what a slot is,
//!    typically a parameter's column in the draw matrix), folds every sub-formula that uses no
//!    names into a constant, and emits flat stack bytecode.
//! 3. [`Expr::eval`] runs that bytecode over a slice of slot values. It is called once per Monte
//!    Carlo draw, so it never allocates: it uses a fixed stack of [`STACK_SIZE`] values, and
//!    compilation rejects any formula that would need more.
//!
//! # Grammar
//!
//! From lowest to highest precedence:
//!
//! | Level | Syntax | Notes |
//! |---|---|---|
//! | `or` | `a or b` | left-associative |
//! | `and` | `a and b` | left-associative |
//! | `not` | `not a` | prefix |
//! | comparison | `< <= > >= == !=` | non-associative: `a < b < c` is an error |
//! | additive | `+ -` | left-associative |
//! | multiplicative | `* /` | left-associative |
//! | unary | `-a`, `+a` | prefix |
//! | power | `a ^ b` | right-associative; `-2^2` is `-(2^2)`, `2^-1` is `0.5` |
//! | primary | number, name, `( … )`, `f(a, …)` | |
//!
//! Numbers are written `12`, `0.5`, `.5`, `1e-3`, `2.5E+4` or `5_000_000`. Names match
//! `[A-Za-z_][A-Za-z0-9_]*`, except the keywords `and`, `or`, `not`, `true` (1) and `false` (0)
//! and the function names. The functions are `min(a, b, …)` and `max(a, b, …)` (two or more
//! arguments), `exp`, `ln`, `log10`, `pow(x, y)`, `sqrt`, `abs` and `if(cond, then, else)`.
//! [`RESERVED`] lists every word that cannot be a name.
//!
//! # Semantics
//!
//! - Comparisons give 1 or 0. Any comparison involving NaN is false, `!=` included, so that a
//!   NaN never silently selects a branch as if it were an ordinary number.
//! - `and`, `or`, `not` and `if` treat a value as true when it is nonzero and not NaN; the logic
//!   operators give 1 or 0.
//! - `min` and `max` return NaN when any argument is NaN (unlike [`f64::min`], which ignores it),
//!   and order `-0` below `+0`, so the result never depends on argument order or platform.
//! - Division by zero and out-of-domain arguments follow IEEE 754 (`1/0` is infinity, `ln(-1)` is
//!   NaN); checking results is the caller's business.
//! - `exp`, `ln`, `log10`, `pow` and `sqrt` come from [`libm`], never from the platform's C
//!   library, so a formula gives the same bits on x86_64, aarch64 and wasm32. Constant folding
//!   runs the very same interpreter, so a folded constant equals what evaluation would give.
//!
//! # Example
//!
//! ```
//! use tenbin_engine::expr::Ast;
//!
//! let ast = Ast::parse("c_proph * 12 * (1 - p_resp)").unwrap();
//! let names = ["c_proph", "p_resp"];
//! let expr = ast.compile(&|name| names.iter().position(|n| *n == name)).unwrap();
//! assert_eq!(expr.slots(), &[0, 1]);
//! assert_eq!(expr.eval(&[100.0, 0.25]), 900.0);
//! ```

// Layout: this file holds the public types and what the stages share (the error type, the
// bytecode instruction set, the syntax-tree items and the list of reserved words); `lexer` splits
// the text into tokens, `parser` builds the syntax tree ([`Ast::parse`]), and `eval` compiles it
// to bytecode ([`Ast::compile`]) and runs that bytecode ([`Expr::eval`]).

use std::fmt;

mod eval;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;

/// Number of values the evaluation stack holds; [`Ast::compile`] rejects formulas needing more.
///
/// Thirty-two is far beyond what a hand-written formula needs (a left-to-right chain such as
/// `a + b + c + …` needs two) while keeping the stack small enough to live in registers and L1.
pub const STACK_SIZE: usize = 32;

/// Every word that cannot be a name in an expression, because the expression grammar gives it
/// another meaning: the keywords `and`, `or`, `not`, `true` and `false`, then the function names
/// in the order error messages list them.
///
/// Built from the lexer's keyword table and the parser's function table, so it cannot drift from
/// what [`Ast::parse`] actually accepts. A scenario should refuse these as parameter names.
pub const RESERVED: &[&str] = &RESERVED_WORDS;

/// The array behind [`RESERVED`]: the keywords followed by the function names.
const RESERVED_WORDS: [&str; lexer::KEYWORDS.len() + parser::FUNCTIONS.len()] = {
    let mut words = [""; lexer::KEYWORDS.len() + parser::FUNCTIONS.len()];
    let mut i = 0;
    while i < lexer::KEYWORDS.len() {
        words[i] = lexer::KEYWORDS[i].0;
        i += 1;
    }
    let mut j = 0;
    while j < parser::FUNCTIONS.len() {
        words[i + j] = parser::FUNCTIONS[j].0;
        j += 1;
    }
    words
};

/// A parse or compile error, located inside the expression text.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    /// Byte offset of the offending token in the expression text.
    pub offset: usize,
    /// Length in bytes of the offending token (at least 1, except at end of input where it is 0).
    pub len: usize,
    /// What is wrong and what was expected, in plain words, e.g. "unknown function `lnn`;
    /// expected one of min, max, exp, ln, log10, pow, sqrt, abs, if".
    pub message: String,
}

impl ExprError {
    fn new(offset: usize, len: usize, message: impl Into<String>) -> ExprError {
        ExprError {
            offset,
            len,
            message: message.into(),
        }
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The location is reported separately (the caller knows the surrounding file), so the
        // message alone is what belongs in a sentence.
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExprError {}

/// One bytecode instruction. The same enum names the operators inside [`Ast`], so that parsing,
/// constant folding and evaluation cannot disagree about what an operator means.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    /// Push a constant.
    Const(f64),
    /// Push the value of a slot.
    Slot(usize),
    Neg,
    Not,
    Exp,
    Ln,
    Log10,
    Sqrt,
    Abs,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    /// Two-argument NaN-propagating minimum; `min(a, b, c)` compiles to two of these.
    Min,
    /// Two-argument NaN-propagating maximum.
    Max,
    /// Pops condition, then-value and else-value; pushes the selected one.
    If,
}

impl Op {
    /// How many values the instruction pops.
    fn operands(self) -> usize {
        match self {
            Op::Const(_) | Op::Slot(_) => 0,
            Op::Neg | Op::Not | Op::Exp | Op::Ln | Op::Log10 | Op::Sqrt | Op::Abs => 1,
            Op::If => 3,
            Op::Add
            | Op::Sub
            | Op::Mul
            | Op::Div
            | Op::Pow
            | Op::Lt
            | Op::Le
            | Op::Gt
            | Op::Ge
            | Op::Eq
            | Op::Ne
            | Op::And
            | Op::Or
            | Op::Min
            | Op::Max => 2,
        }
    }
}

/// One element of the syntax tree, stored in postfix order (operands before their operator).
///
/// A flat postfix list rather than boxed nodes means that compiling, listing identifiers and
/// dropping the tree are loops, not recursion: a chain such as `1 + 1 + … + 1` with a million
/// terms is handled without risk of overflowing the native stack.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Number {
        value: f64,
        offset: usize,
        len: usize,
    },
    Name {
        name: String,
        offset: usize,
    },
    /// An operator or function applied to the values of the preceding operands. Never holds
    /// [`Op::Const`] or [`Op::Slot`].
    Apply(Op),
}

/// A parsed expression (syntax tree), before names are resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    /// The tree in postfix order; leaves appear in the order they appear in the text.
    items: Vec<Item>,
}

impl Ast {
    /// Every identifier used, with its byte offset, in order of appearance (duplicates included).
    ///
    /// Function names and keywords are not identifiers; only the names that
    /// [`compile`](Ast::compile) will ask its resolver about are listed.
    pub fn identifiers(&self) -> Vec<(&str, usize)> {
        self.items
            .iter()
            .filter_map(|item| match item {
                Item::Name { name, offset } => Some((name.as_str(), *offset)),
                _ => None,
            })
            .collect()
    }
}

/// A compiled expression: flat stack bytecode over a slice of slot values.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// Postfix instructions; never empty, and never deeper than [`STACK_SIZE`].
    ops: Vec<Op>,
    /// Slots read by `ops`, sorted and deduplicated.
    slots: Vec<usize>,
}
