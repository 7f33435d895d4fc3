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

use std::fmt;

/// Number of values the evaluation stack holds; [`Ast::compile`] rejects formulas needing more.
///
/// Thirty-two is far beyond what a hand-written formula needs (a left-to-right chain such as
/// `a + b + c + …` needs two) while keeping the stack small enough to live in registers and L1.
pub const STACK_SIZE: usize = 32;

/// Mask that wraps an index into the evaluation stack; requires a power-of-two [`STACK_SIZE`].
const STACK_MASK: usize = STACK_SIZE - 1;
const _: () = assert!(STACK_SIZE.is_power_of_two());

/// Deepest nesting of parentheses, calls and prefix operators the parser accepts.
///
/// The parser is recursive, so without a bound a string of a million `(` would overflow the
/// native stack and abort the process instead of producing an error.
const MAX_NESTING: usize = 64;

/// What an operand position accepts, used in "expected …" messages.
const EXPECTED_OPERAND: &str = "a number, a name or `(`";

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

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy)]
enum Arity {
    Exactly(usize),
    AtLeast(usize),
}

/// The built-in functions, in the order error messages list them.
const FUNCTIONS: [(&str, Op, Arity); 9] = [
    ("min", Op::Min, Arity::AtLeast(2)),
    ("max", Op::Max, Arity::AtLeast(2)),
    ("exp", Op::Exp, Arity::Exactly(1)),
    ("ln", Op::Ln, Arity::Exactly(1)),
    ("log10", Op::Log10, Arity::Exactly(1)),
    ("pow", Op::Pow, Arity::Exactly(2)),
    ("sqrt", Op::Sqrt, Arity::Exactly(1)),
    ("abs", Op::Abs, Arity::Exactly(1)),
    ("if", Op::If, Arity::Exactly(3)),
];

fn function(name: &str) -> Option<(Op, Arity)> {
    FUNCTIONS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, op, arity)| (op, arity))
}

fn function_list() -> String {
    FUNCTIONS
        .iter()
        .map(|(name, _, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
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
    /// Parses `text`.
    ///
    /// Fails with an [`ExprError`] located at the first problem: an unknown character, a malformed
    /// number, an unexpected token, an unclosed parenthesis, an unknown function or a call with
    /// the wrong number of arguments. Never panics, whatever the input.
    pub fn parse(text: &str) -> Result<Ast, ExprError> {
        let mut parser = Parser::new(text)?;
        if parser.tok.kind == Kind::End {
            return Err(ExprError::new(
                parser.tok.offset,
                0,
                "empty expression; expected a number, a name or a formula",
            ));
        }
        parser.parse_or()?;
        let tok = parser.tok;
        match tok.kind {
            Kind::End => Ok(Ast {
                items: parser.items,
            }),
            Kind::RParen => Err(ExprError::new(
                tok.offset,
                tok.len(),
                "unexpected `)` after the end of the expression; there is no `(` for it to close",
            )),
            _ => Err(ExprError::new(
                tok.offset,
                tok.len(),
                format!(
                    "unexpected {} after the end of the expression; expected an operator",
                    tok.describe()
                ),
            )),
        }
    }

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

    /// Resolves identifiers to slot indices and compiles to bytecode. `resolve` returns None for
    /// an unknown name, which becomes an ExprError at that identifier's offset ("unknown name
    /// `x`").
    ///
    /// Every sub-formula that uses no identifiers is folded into a constant. Fails as well when
    /// evaluation would need more than [`STACK_SIZE`] stack entries, pointing at the operand that
    /// would overflow.
    pub fn compile(&self, resolve: &dyn Fn(&str) -> Option<usize>) -> Result<Expr, ExprError> {
        let mut code: Vec<Op> = Vec::with_capacity(self.items.len());
        // Source span of each instruction, parallel to `code`; used only for the depth error.
        let mut spans: Vec<(usize, usize)> = Vec::with_capacity(self.items.len());
        // Where in `code` each value that is still waiting for its operator begins.
        let mut starts: Vec<usize> = Vec::new();

        for item in &self.items {
            match item {
                Item::Number { value, offset, len } => {
                    starts.push(code.len());
                    code.push(Op::Const(*value));
                    spans.push((*offset, *len));
                }
                Item::Name { name, offset } => {
                    let slot = resolve(name).ok_or_else(|| {
                        ExprError::new(*offset, name.len(), format!("unknown name `{name}`"))
                    })?;
                    starts.push(code.len());
                    code.push(Op::Slot(slot));
                    spans.push((*offset, name.len()));
                }
                Item::Apply(op) => {
                    // The parser emits an operator right after its operands, so the operator's
                    // code begins where its first operand's code begins. The fallbacks cannot
                    // trigger for a tree built by `parse`; they only avoid a panic path.
                    let first = starts.len().saturating_sub(op.operands());
                    let start = starts.get(first).copied().unwrap_or(code.len());
                    starts.truncate(first);
                    starts.push(start);
                    let span = spans.get(start).copied().unwrap_or((0, 0));
                    code.push(*op);
                    spans.push(span);
                    fold_tail(&mut code, &mut spans, start);
                }
            }
        }

        // Simulate the stack once here so that `eval` can trust its fixed-size array.
        let mut depth = 0usize;
        for (op, &(offset, len)) in code.iter().zip(&spans) {
            depth = depth.saturating_sub(op.operands()) + 1;
            if depth > STACK_SIZE {
                return Err(ExprError::new(
                    offset,
                    len,
                    format!("expression nests too deeply (more than {STACK_SIZE} levels)"),
                ));
            }
        }

        let mut slots: Vec<usize> = code
            .iter()
            .filter_map(|op| match op {
                Op::Slot(slot) => Some(*slot),
                _ => None,
            })
            .collect();
        slots.sort_unstable();
        slots.dedup();
        Ok(Expr { ops: code, slots })
    }
}

/// Replaces `code[start..]` by its value when it reads no slot.
///
/// Called after every operator, bottom-up, so each operand of the tail has already been folded
/// and the tail is at most three constants and one operator: running it cannot overflow the stack.
fn fold_tail(code: &mut Vec<Op>, spans: &mut Vec<(usize, usize)>, start: usize) {
    let Some(tail) = code.get(start..) else {
        return;
    };
    if tail.len() > 1 && !tail.iter().any(|op| matches!(op, Op::Slot(_))) {
        // The same interpreter as `Expr::eval`, so folding cannot change a single bit.
        let value = run(tail, &[]);
        code.truncate(start);
        code.push(Op::Const(value));
        // Keep the span of the leftmost operand for the folded constant.
        spans.truncate(start + 1);
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

impl Expr {
    /// Evaluates with `slots[i]` holding the value of slot i. Never panics for any input values
    /// (a slot index beyond `slots` cannot happen if compile's resolver was honest).
    ///
    /// Does not allocate. A slot beyond the end of `slots` reads as NaN in release builds and
    /// trips a debug assertion in debug builds.
    #[inline]
    pub fn eval(&self, slots: &[f64]) -> f64 {
        debug_assert!(
            self.slots.last().is_none_or(|&s| s < slots.len()),
            "expression reads slot {:?} but only {} slot values were given",
            self.slots.last(),
            slots.len()
        );
        run(&self.ops, slots)
    }

    /// The slot indices this expression reads, sorted and deduplicated.
    pub fn slots(&self) -> &[usize] {
        &self.slots
    }

    /// Some(v) when the expression uses no slots (constant folding result).
    pub fn constant(&self) -> Option<f64> {
        match self.ops.as_slice() {
            [Op::Const(value)] => Some(*value),
            _ => None,
        }
    }

    /// A compiled expression that returns `value`.
    pub fn from_constant(value: f64) -> Expr {
        Expr {
            ops: vec![Op::Const(value)],
            slots: Vec::new(),
        }
    }
}

/// Whether a value counts as true: nonzero and not NaN.
#[inline]
fn truth(x: f64) -> bool {
    x != 0.0 && !x.is_nan()
}

/// 1 for true, 0 for false.
#[inline]
fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Minimum that propagates NaN and orders `-0` below `+0`.
///
/// Written out rather than using [`f64::min`], whose NaN and signed-zero behaviour is not what we
/// want and whose code generation differs between targets.
#[inline]
fn min2(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a < b {
        a
    } else if b < a {
        b
    } else if a.is_sign_negative() {
        a
    } else {
        b
    }
}

/// Maximum that propagates NaN and orders `+0` above `-0`.
#[inline]
fn max2(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a > b {
        a
    } else if b > a {
        b
    } else if a.is_sign_positive() {
        a
    } else {
        b
    }
}

/// Runs bytecode on a fixed stack. Shared by [`Expr::eval`] and constant folding.
///
/// `ops` must come from [`Ast::compile`] (or be a folding tail), which guarantees that every
/// instruction finds its operands and that the stack never exceeds [`STACK_SIZE`].
#[inline]
fn run(ops: &[Op], slots: &[f64]) -> f64 {
    let mut stack = [0.0_f64; STACK_SIZE];
    // Index of the topmost value; `STACK_MASK` (that is, -1 modulo the stack size) when empty.
    // Masking every index lets the compiler drop bounds checks and makes a panic impossible even
    // in principle; for bytecode from `compile` the mask never changes an index.
    let mut top = STACK_MASK;

    macro_rules! push {
        ($value:expr) => {{
            top = (top + 1) & STACK_MASK;
            stack[top] = $value;
        }};
    }
    macro_rules! unary {
        ($x:ident => $result:expr) => {{
            let $x = stack[top];
            stack[top] = $result;
        }};
    }
    macro_rules! binary {
        ($a:ident, $b:ident => $result:expr) => {{
            let $b = stack[top];
            top = top.wrapping_sub(1) & STACK_MASK;
            let $a = stack[top];
            stack[top] = $result;
        }};
    }

    for op in ops {
        match *op {
            Op::Const(value) => push!(value),
            Op::Slot(slot) => push!(slots.get(slot).copied().unwrap_or(f64::NAN)),
            Op::Neg => unary!(x => -x),
            Op::Not => unary!(x => flag(!truth(x))),
            Op::Exp => unary!(x => libm::exp(x)),
            Op::Ln => unary!(x => libm::log(x)),
            Op::Log10 => unary!(x => libm::log10(x)),
            Op::Sqrt => unary!(x => libm::sqrt(x)),
            Op::Abs => unary!(x => x.abs()),
            Op::Add => binary!(a, b => a + b),
            Op::Sub => binary!(a, b => a - b),
            Op::Mul => binary!(a, b => a * b),
            Op::Div => binary!(a, b => a / b),
            Op::Pow => binary!(a, b => libm::pow(a, b)),
            Op::Lt => binary!(a, b => flag(a < b)),
            Op::Le => binary!(a, b => flag(a <= b)),
            Op::Gt => binary!(a, b => flag(a > b)),
            Op::Ge => binary!(a, b => flag(a >= b)),
            Op::Eq => binary!(a, b => flag(a == b)),
            // Plain `a != b` would be true for NaN, but every NaN comparison is false.
            Op::Ne => binary!(a, b => flag(a != b && !a.is_nan() && !b.is_nan())),
            Op::And => binary!(a, b => flag(truth(a) && truth(b))),
            Op::Or => binary!(a, b => flag(truth(a) || truth(b))),
            Op::Min => binary!(a, b => min2(a, b)),
            Op::Max => binary!(a, b => max2(a, b)),
            Op::If => {
                // Both branches are already computed: they are pure, and selecting between two
                // values avoids jumps in the bytecode.
                let otherwise = stack[top];
                let then = stack[top.wrapping_sub(1) & STACK_MASK];
                top = top.wrapping_sub(2) & STACK_MASK;
                let condition = stack[top];
                stack[top] = if truth(condition) { then } else { otherwise };
            }
        }
    }
    stack[0]
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

/// Token kinds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind<'a> {
    Number(f64),
    Ident(&'a str),
    And,
    Or,
    Not,
    True,
    False,
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    End,
}

/// A token with its location; `text` is the exact source slice (empty at the end of input).
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind<'a>,
    offset: usize,
    text: &'a str,
}

impl Token<'_> {
    fn len(&self) -> usize {
        self.text.len()
    }

    /// The token as it should appear in a message.
    fn describe(&self) -> String {
        if self.kind == Kind::End {
            "end of the expression".to_owned()
        } else {
            format!("`{}`", self.text)
        }
    }
}

/// Splits the text into tokens on demand, so that the parser reports the leftmost problem
/// whether it is lexical or syntactic.
struct Lexer<'a> {
    text: &'a str,
    /// Always on a character boundary: only ASCII bytes are ever stepped over.
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn next_token(&mut self) -> Result<Token<'a>, ExprError> {
        let bytes = self.text.as_bytes();
        while bytes.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&first) = bytes.get(start) else {
            return Ok(Token {
                kind: Kind::End,
                offset: start,
                text: "",
            });
        };
        let second = bytes.get(start + 1).copied();
        let (kind, len) = match first {
            b'0'..=b'9' => return self.number(start),
            b'.' if second.is_some_and(|b| b.is_ascii_digit()) => return self.number(start),
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                let end = scan(bytes, start, |b| b.is_ascii_alphanumeric() || b == b'_');
                let word = &self.text[start..end];
                let kind = match word {
                    "and" => Kind::And,
                    "or" => Kind::Or,
                    "not" => Kind::Not,
                    "true" => Kind::True,
                    "false" => Kind::False,
                    _ => Kind::Ident(word),
                };
                (kind, end - start)
            }
            b'(' => (Kind::LParen, 1),
            b')' => (Kind::RParen, 1),
            b',' => (Kind::Comma, 1),
            b'+' => (Kind::Plus, 1),
            b'-' => (Kind::Minus, 1),
            b'*' => (Kind::Star, 1),
            b'/' => (Kind::Slash, 1),
            b'^' => (Kind::Caret, 1),
            b'<' if second == Some(b'=') => (Kind::Le, 2),
            b'<' => (Kind::Lt, 1),
            b'>' if second == Some(b'=') => (Kind::Ge, 2),
            b'>' => (Kind::Gt, 1),
            b'=' if second == Some(b'=') => (Kind::EqEq, 2),
            b'!' if second == Some(b'=') => (Kind::Ne, 2),
            _ => return Err(self.unexpected_character(start)),
        };
        self.pos = start + len;
        Ok(Token {
            kind,
            offset: start,
            text: &self.text[start..start + len],
        })
    }

    /// Lexes a number starting at `start` (a digit, or a `.` followed by a digit).
    fn number(&mut self, start: usize) -> Result<Token<'a>, ExprError> {
        let bytes = self.text.as_bytes();
        // Mantissa: digits, separators and dots. A second dot is caught by the float parser,
        // so `1.2.3` is reported as one malformed number rather than as `1.2` followed by `.3`.
        let mut end = scan(bytes, start, |b| {
            b.is_ascii_digit() || b == b'_' || b == b'.'
        });
        let mut exponent_ok = true;
        if matches!(bytes.get(end), Some(b'e' | b'E')) {
            end += 1;
            if matches!(bytes.get(end), Some(b'+' | b'-')) {
                end += 1;
            }
            let digits = end;
            end = scan(bytes, end, |b| b.is_ascii_digit() || b == b'_');
            exponent_ok = bytes[digits..end].iter().any(u8::is_ascii_digit);
        }
        // Letters, digits, separators or dots glued to the number (`2x`, `1e5.3`) make the
        // whole run malformed; splitting it would give a confusing "unexpected name" instead.
        let valid_end = end;
        end = scan(bytes, end, |b| {
            b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
        });
        let text = &self.text[start..end];

        if end == valid_end && exponent_ok {
            let digits: String = text.chars().filter(|&c| c != '_').collect();
            if let Ok(value) = digits.parse::<f64>() {
                self.pos = end;
                return Ok(Token {
                    kind: Kind::Number(value),
                    offset: start,
                    text,
                });
            }
        }
        let hint = if bytes.get(valid_end).is_some_and(u8::is_ascii_alphabetic) && exponent_ok {
            "; write `*` to multiply a number by a name"
        } else {
            ""
        };
        Err(ExprError::new(
            start,
            text.len(),
            format!(
                "malformed number `{text}`; expected a number like 12, 0.5, 1e-3 or 5_000_000{hint}"
            ),
        ))
    }

    fn unexpected_character(&self, start: usize) -> ExprError {
        let c = self.text[start..].chars().next().unwrap_or('\u{FFFD}');
        let hint = match c {
            '=' => "; write `==` to compare",
            '!' => "; write `not` to negate or `!=` to compare",
            '&' => "; write `and`",
            '|' => "; write `or`",
            '%' => "; write `/ 100` for a percentage",
            '"' | '\'' | '`' => "; names are written without quotes",
            _ => "",
        };
        let shown = if c.is_control() || c.is_whitespace() {
            format!("U+{:04X}", u32::from(c))
        } else {
            format!("`{c}`")
        };
        ExprError::new(
            start,
            c.len_utf8(),
            format!("unexpected character {shown}{hint}"),
        )
    }
}

/// Index of the first byte at or after `from` that does not satisfy `accept`.
fn scan(bytes: &[u8], from: usize, accept: impl Fn(u8) -> bool) -> usize {
    let mut end = from;
    while bytes.get(end).is_some_and(|&b| accept(b)) {
        end += 1;
    }
    end
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/// Recursive-descent parser emitting postfix [`Item`]s, one method per precedence level.
struct Parser<'a> {
    lexer: Lexer<'a>,
    /// The current (not yet consumed) token.
    tok: Token<'a>,
    items: Vec<Item>,
    /// Current nesting of parentheses, calls and prefix operators; bounded by [`MAX_NESTING`].
    depth: usize,
}

type Parsed = Result<(), ExprError>;

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Result<Parser<'a>, ExprError> {
        let mut lexer = Lexer { text, pos: 0 };
        let tok = lexer.next_token()?;
        Ok(Parser {
            lexer,
            tok,
            items: Vec::new(),
            depth: 0,
        })
    }

    /// Consumes the current token and returns it.
    fn advance(&mut self) -> Result<Token<'a>, ExprError> {
        let tok = self.tok;
        self.tok = self.lexer.next_token()?;
        Ok(tok)
    }

    fn apply(&mut self, op: Op) {
        self.items.push(Item::Apply(op));
    }

    /// Runs `parse` one nesting level deeper, failing at `anchor` when too deep.
    fn nested(&mut self, anchor: Token<'a>, parse: impl FnOnce(&mut Self) -> Parsed) -> Parsed {
        if self.depth >= MAX_NESTING {
            return Err(ExprError::new(
                anchor.offset,
                anchor.len(),
                format!("expression nests too deeply (more than {MAX_NESTING} levels)"),
            ));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn parse_or(&mut self) -> Parsed {
        self.parse_and()?;
        while self.tok.kind == Kind::Or {
            self.advance()?;
            self.parse_and()?;
            self.apply(Op::Or);
        }
        Ok(())
    }

    fn parse_and(&mut self) -> Parsed {
        self.parse_not()?;
        while self.tok.kind == Kind::And {
            self.advance()?;
            self.parse_not()?;
            self.apply(Op::And);
        }
        Ok(())
    }

    fn parse_not(&mut self) -> Parsed {
        if self.tok.kind == Kind::Not {
            let not = self.advance()?;
            self.nested(not, Self::parse_not)?;
            self.apply(Op::Not);
            Ok(())
        } else {
            self.parse_comparison()
        }
    }

    fn comparison_op(kind: Kind<'_>) -> Option<Op> {
        match kind {
            Kind::Lt => Some(Op::Lt),
            Kind::Le => Some(Op::Le),
            Kind::Gt => Some(Op::Gt),
            Kind::Ge => Some(Op::Ge),
            Kind::EqEq => Some(Op::Eq),
            Kind::Ne => Some(Op::Ne),
            _ => None,
        }
    }

    fn parse_comparison(&mut self) -> Parsed {
        self.parse_additive()?;
        if let Some(op) = Self::comparison_op(self.tok.kind) {
            self.advance()?;
            self.parse_additive()?;
            self.apply(op);
            // `a < b < c` means something different in every language; refuse to guess.
            if Self::comparison_op(self.tok.kind).is_some() {
                return Err(ExprError::new(
                    self.tok.offset,
                    self.tok.len(),
                    "comparisons cannot be chained; combine them with `and`, \
                     e.g. `a < b and b < c`",
                ));
            }
        }
        Ok(())
    }

    fn parse_additive(&mut self) -> Parsed {
        self.parse_multiplicative()?;
        loop {
            let op = match self.tok.kind {
                Kind::Plus => Op::Add,
                Kind::Minus => Op::Sub,
                _ => return Ok(()),
            };
            self.advance()?;
            self.parse_multiplicative()?;
            self.apply(op);
        }
    }

    fn parse_multiplicative(&mut self) -> Parsed {
        self.parse_unary()?;
        loop {
            let op = match self.tok.kind {
                Kind::Star => Op::Mul,
                Kind::Slash => Op::Div,
                _ => return Ok(()),
            };
            self.advance()?;
            self.parse_unary()?;
            self.apply(op);
        }
    }

    fn parse_unary(&mut self) -> Parsed {
        match self.tok.kind {
            Kind::Minus => {
                let minus = self.advance()?;
                self.nested(minus, Self::parse_unary)?;
                self.apply(Op::Neg);
                Ok(())
            }
            Kind::Plus => {
                let plus = self.advance()?;
                self.nested(plus, Self::parse_unary)
            }
            _ => self.parse_power(),
        }
    }

    fn parse_power(&mut self) -> Parsed {
        self.parse_primary()?;
        if self.tok.kind == Kind::Caret {
            // The exponent is a unary expression, which makes `^` right-associative and allows
            // `2^-1`, while the base is a primary, so that `-2^2` is `-(2^2)`.
            let caret = self.advance()?;
            self.nested(caret, Self::parse_unary)?;
            self.apply(Op::Pow);
        }
        Ok(())
    }

    fn parse_primary(&mut self) -> Parsed {
        let tok = self.tok;
        match tok.kind {
            Kind::Number(value) => {
                self.advance()?;
                self.items.push(Item::Number {
                    value,
                    offset: tok.offset,
                    len: tok.len(),
                });
                Ok(())
            }
            Kind::True | Kind::False => {
                self.advance()?;
                if self.tok.kind == Kind::LParen {
                    return Err(ExprError::new(
                        tok.offset,
                        tok.len(),
                        format!("`{}` is a keyword, not a function", tok.text),
                    ));
                }
                self.items.push(Item::Number {
                    value: flag(tok.kind == Kind::True),
                    offset: tok.offset,
                    len: tok.len(),
                });
                Ok(())
            }
            Kind::Ident(name) => {
                self.advance()?;
                if self.tok.kind == Kind::LParen {
                    return self.parse_call(tok, name);
                }
                if function(name).is_some() {
                    return Err(ExprError::new(
                        tok.offset,
                        tok.len(),
                        format!("`{name}` is a function; write {name}(...)"),
                    ));
                }
                self.items.push(Item::Name {
                    name: name.to_owned(),
                    offset: tok.offset,
                });
                Ok(())
            }
            Kind::LParen => {
                let open = self.advance()?;
                self.nested(open, Self::parse_or)?;
                match self.tok.kind {
                    Kind::RParen => {
                        self.advance()?;
                        Ok(())
                    }
                    Kind::End => Err(ExprError::new(open.offset, open.len(), "unclosed `(`")),
                    _ => Err(self.unexpected("an operator or `)`")),
                }
            }
            Kind::And | Kind::Or => Err(ExprError::new(
                tok.offset,
                tok.len(),
                format!(
                    "unexpected keyword `{}`; expected {EXPECTED_OPERAND}",
                    tok.text
                ),
            )),
            Kind::Not => Err(ExprError::new(
                tok.offset,
                tok.len(),
                "unexpected `not`; inside arithmetic or a comparison, write `(not ...)`",
            )),
            _ => Err(self.unexpected(EXPECTED_OPERAND)),
        }
    }

    /// Parses `name(arg, ...)`; the current token is the `(`.
    fn parse_call(&mut self, name_tok: Token<'a>, name: &str) -> Parsed {
        let Some((op, arity)) = function(name) else {
            return Err(ExprError::new(
                name_tok.offset,
                name_tok.len(),
                format!(
                    "unknown function `{name}`; expected one of {}",
                    function_list()
                ),
            ));
        };
        let open = self.advance()?;
        let mut count = 0usize;
        if self.tok.kind == Kind::RParen {
            self.advance()?;
        } else {
            loop {
                self.nested(open, Self::parse_or)?;
                count += 1;
                // Variadic min/max fold pairwise as arguments arrive, so that any number of
                // arguments needs only two stack entries.
                if matches!(arity, Arity::AtLeast(_)) && count >= 2 {
                    self.apply(op);
                }
                match self.tok.kind {
                    Kind::Comma => {
                        self.advance()?;
                    }
                    Kind::RParen => {
                        self.advance()?;
                        break;
                    }
                    Kind::End => {
                        return Err(ExprError::new(open.offset, open.len(), "unclosed `(`"));
                    }
                    _ => return Err(self.unexpected("an operator, `,` or `)`")),
                }
            }
        }
        let expected = match arity {
            Arity::Exactly(n) if n == count => None,
            Arity::AtLeast(n) if count >= n => None,
            Arity::Exactly(1) => Some("1 argument".to_owned()),
            Arity::Exactly(n) => Some(format!("{n} arguments")),
            Arity::AtLeast(n) => Some(format!("{n} or more arguments")),
        };
        if let Some(expected) = expected {
            return Err(ExprError::new(
                name_tok.offset,
                name_tok.len(),
                format!("`{name}` takes {expected}, got {count}"),
            ));
        }
        if let Arity::Exactly(_) = arity {
            self.apply(op);
        }
        Ok(())
    }

    /// "unexpected X; expected Y" at the current token.
    fn unexpected(&self, expected: &str) -> ExprError {
        ExprError::new(
            self.tok.offset,
            self.tok.len(),
            format!("unexpected {}; expected {expected}", self.tok.describe()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 6] = ["a", "b", "c", "d", "age", "hr_old"];

    fn resolve(name: &str) -> Option<usize> {
        NAMES.iter().position(|n| *n == name)
    }

    fn compile(text: &str) -> Expr {
        Ast::parse(text)
            .unwrap_or_else(|e| panic!("{text:?} failed to parse: {e:?}"))
            .compile(&resolve)
            .unwrap_or_else(|e| panic!("{text:?} failed to compile: {e:?}"))
    }

    fn eval_with(text: &str, slots: &[f64]) -> f64 {
        compile(text).eval(slots)
    }

    fn eval(text: &str) -> f64 {
        eval_with(text, &[0.0; NAMES.len()])
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-15 * expected.abs().max(1.0)
    }

    fn error(text: &str) -> ExprError {
        match Ast::parse(text) {
            Err(e) => e,
            Ok(ast) => match ast.compile(&resolve) {
                Err(e) => e,
                Ok(expr) => panic!("{text:?} unexpectedly compiled to {expr:?}"),
            },
        }
    }

    #[test]
    fn precedence_and_associativity() {
        let cases = [
            ("2 + 3 * 4", 14.0),
            ("2 ^ 3 ^ 2", 512.0),
            ("-2^2", -4.0),
            ("(-2)^2", 4.0),
            ("2^-1", 0.5),
            ("2^-1^2", 0.5),
            ("(1 + 2) * 3", 9.0),
            ("10 - 4 - 3", 3.0),
            ("8 / 4 / 2", 1.0),
            ("- -3", 3.0),
            ("+3 - +1", 2.0),
            ("2 * -3", -6.0),
            ("1 + 2 < 4", 1.0),
            ("2 * 3 == 6", 1.0),
        ];
        for (text, expected) in cases {
            assert_eq!(eval(text), expected, "{text}");
        }
        // `not` binds looser than comparison, tighter than `and`/`or`.
        assert_eq!(eval("not 1 < 0"), 1.0);
        assert_eq!(eval("not 0 and 0"), 0.0);
        assert_eq!(eval("not (0 and 0)"), 1.0);
        assert_eq!(eval("1 or 0 and 0"), 1.0);
        assert_eq!(eval("(1 or 0) and 0"), 0.0);
        assert_eq!(eval("0 and 1 or 1"), 1.0);
        assert_eq!(eval("not not 5"), 1.0);
    }

    #[test]
    fn numbers() {
        assert_eq!(eval("12"), 12.0);
        assert_eq!(eval("0.5"), 0.5);
        assert_eq!(eval(".5"), 0.5);
        assert_eq!(eval("1e-3"), 0.001);
        assert_eq!(eval("2.5E+4"), 25_000.0);
        assert_eq!(eval("5_000_000"), 5_000_000.0);
        assert_eq!(eval("1_000.25"), 1000.25);
        assert_eq!(eval("1e1_0"), 1e10);
        assert_eq!(eval("true + true + false"), 2.0);
        assert_eq!(eval("\t1\n+\r\n2 "), 3.0);
    }

    #[test]
    fn functions_against_hand_computed_values() {
        assert!(close(eval("exp(1)"), std::f64::consts::E));
        assert_eq!(eval("exp(0)"), 1.0);
        assert!(close(eval("ln(10)"), std::f64::consts::LN_10));
        assert_eq!(eval("ln(1)"), 0.0);
        assert!(close(eval("log10(1000)"), 3.0));
        assert!(close(eval("log10(2)"), std::f64::consts::LOG10_2));
        assert_eq!(eval("pow(2, 10)"), 1024.0);
        assert_eq!(eval("pow(9, 0.5)"), 3.0);
        assert_eq!(eval("sqrt(16)"), 4.0);
        assert!(close(eval("sqrt(2)"), std::f64::consts::SQRT_2));
        assert_eq!(eval("abs(-3.5)"), 3.5);
        assert_eq!(eval("abs(2)"), 2.0);
        assert_eq!(eval("min(3, 1, 2)"), 1.0);
        assert_eq!(eval("max(3, 1, 2)"), 3.0);
        assert_eq!(eval("min(1, max(0, 0.7 - 0.1))"), 0.7 - 0.1);
        assert_eq!(eval("min(1, max(0, -0.5))"), 0.0);
        assert_eq!(eval("max(-1, -2)"), -1.0);
        // IEEE results rather than errors.
        assert!(eval("ln(-1)").is_nan());
        assert!(eval("sqrt(-1)").is_nan());
        assert_eq!(eval("1 / 0"), f64::INFINITY);
        assert_eq!(eval("-1 / 0"), f64::NEG_INFINITY);
        assert!(eval("0 / 0").is_nan());
        assert_eq!(eval("ln(0)"), f64::NEG_INFINITY);
        // The analyst's example from the scenario format.
        let slots = [100.0, 0.25, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(eval_with("a * 12 * (1 - b)", &slots), 900.0);
    }

    #[test]
    fn conditionals_and_logic() {
        // slots: a, b, c, d, age, hr_old
        let old = [0.0, 0.0, 0.0, 0.0, 70.0, 1.5];
        let young = [0.0, 0.0, 0.0, 0.0, 60.0, 1.5];
        assert_eq!(eval_with("if(age > 65, hr_old, 1.0)", &old), 1.5);
        assert_eq!(eval_with("if(age > 65, hr_old, 1.0)", &young), 1.0);
        assert_eq!(eval_with("if(age >= 60 and age < 65, 2, 3)", &young), 2.0);
        assert_eq!(eval_with("if(age < 18 or age >= 70, 2, 3)", &old), 2.0);
        assert_eq!(eval_with("if(not (age == 60), 2, 3)", &young), 3.0);
        assert_eq!(eval_with("if(age != 60, 2, 3)", &young), 3.0);
        assert_eq!(eval("if(1, 2, 3)"), 2.0);
        assert_eq!(eval("if(0, 2, 3)"), 3.0);
        assert_eq!(eval("if(-0.5, 2, 3)"), 2.0);
        assert_eq!(eval("2 <= 2"), 1.0);
        assert_eq!(eval("2 >= 3"), 0.0);
        assert_eq!(eval("1 and 2"), 1.0);
        assert_eq!(eval("0 or 0"), 0.0);
        assert_eq!(eval("0 or 7"), 1.0);

        // NaN is not true, and every comparison with NaN is false.
        let nan = [f64::NAN, 1.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(eval_with("if(a, 2, 3)", &nan), 3.0);
        assert_eq!(eval_with("not a", &nan), 1.0);
        assert_eq!(eval_with("a and 1", &nan), 0.0);
        assert_eq!(eval_with("a or 1", &nan), 1.0);
        for op in ["<", "<=", ">", ">=", "==", "!="] {
            assert_eq!(eval_with(&format!("a {op} b"), &nan), 0.0, "{op}");
            assert_eq!(eval_with(&format!("b {op} a"), &nan), 0.0, "{op}");
        }
    }

    #[test]
    fn min_and_max_propagate_nan() {
        let slots = [f64::NAN, 1.0, 3.0, 0.0, 0.0, 0.0];
        for text in [
            "min(a, b)",
            "min(b, a)",
            "min(b, c, a)",
            "max(a, b)",
            "max(b, a)",
            "max(c, a, b)",
        ] {
            assert!(eval_with(text, &slots).is_nan(), "{text}");
        }
        assert_eq!(eval_with("min(c, b)", &slots), 1.0);
        assert_eq!(eval_with("max(b, c)", &slots), 3.0);
        // Signed zeros are ordered, so argument order does not matter.
        let zeros = [0.0, -0.0, 0.0, 0.0, 0.0, 0.0];
        assert!(eval_with("min(a, b)", &zeros).is_sign_negative());
        assert!(eval_with("min(b, a)", &zeros).is_sign_negative());
        assert!(eval_with("max(a, b)", &zeros).is_sign_positive());
        assert!(eval_with("max(b, a)", &zeros).is_sign_positive());
    }

    #[test]
    fn constant_folding() {
        let expr = compile("2 * 3 + exp(0)");
        assert_eq!(expr.constant(), Some(7.0));
        assert!(expr.slots().is_empty());
        assert_eq!(expr.eval(&[]), 7.0);

        // Only the name-free part folds: `a * 2 + 12`.
        let expr = compile("a * 2 + 3 * 4");
        assert_eq!(expr.constant(), None);
        assert_eq!(
            expr.ops,
            vec![
                Op::Slot(0),
                Op::Const(2.0),
                Op::Mul,
                Op::Const(12.0),
                Op::Add
            ]
        );
        assert_eq!(expr.eval(&[5.0, 0.0, 0.0, 0.0, 0.0, 0.0]), 22.0);

        // Variadic min folds pairwise up to the first name.
        let expr = compile("min(4, 2, a, 1)");
        assert_eq!(
            expr.ops,
            vec![
                Op::Const(2.0),
                Op::Slot(0),
                Op::Min,
                Op::Const(1.0),
                Op::Min
            ]
        );

        // Folding uses the evaluator, so it agrees bit for bit, NaN included.
        assert!(compile("ln(-1) + 1").constant().is_some_and(f64::is_nan));
        assert_eq!(
            compile("pow(1.1, 2.7)").constant(),
            Some(libm::pow(1.1, 2.7))
        );

        let expr = Expr::from_constant(2.5);
        assert_eq!(expr.constant(), Some(2.5));
        assert_eq!(expr.eval(&[]), 2.5);
        assert!(expr.slots().is_empty());
    }

    #[test]
    fn slots_and_identifiers() {
        let ast = Ast::parse("a * b + a").unwrap();
        assert_eq!(ast.identifiers(), vec![("a", 0), ("b", 4), ("a", 8)]);
        let expr = ast
            .compile(&|name| match name {
                "a" => Some(0),
                "b" => Some(1),
                _ => None,
            })
            .unwrap();
        assert_eq!(expr.slots(), &[0, 1]);
        assert_eq!(expr.eval(&[2.0, 3.0]), 8.0);

        // Slots are sorted whatever the order of appearance.
        let expr = ast
            .compile(&|name| match name {
                "a" => Some(7),
                "b" => Some(2),
                _ => None,
            })
            .unwrap();
        assert_eq!(expr.slots(), &[2, 7]);

        let ast = Ast::parse("min(x, if(y > 1, z, x)) + exp(w_2)").unwrap();
        assert_eq!(
            ast.identifiers(),
            vec![("x", 4), ("y", 10), ("z", 17), ("x", 20), ("w_2", 30)]
        );
        // Function names and keywords are not identifiers.
        let ast = Ast::parse("not true and abs(q)").unwrap();
        assert_eq!(ast.identifiers(), vec![("q", 17)]);
    }

    #[test]
    fn error_table() {
        // (input, offset, len, part of the message)
        let cases: &[(&str, usize, usize, &str)] = &[
            (
                "1 +",
                3,
                0,
                "unexpected end of the expression; expected a number",
            ),
            ("(1 + 2", 0, 1, "unclosed `(`"),
            ("min(1, 2", 3, 1, "unclosed `(`"),
            ("1 + 2)", 5, 1, "no `(` for it to close"),
            (
                "1 + )",
                4,
                1,
                "unexpected `)`; expected a number, a name or `(`",
            ),
            (
                "foo(1)",
                0,
                3,
                "unknown function `foo`; expected one of min, max, exp",
            ),
            (
                "lnn(x)",
                0,
                3,
                "expected one of min, max, exp, ln, log10, pow, sqrt, abs, if",
            ),
            ("pow(1)", 0, 3, "`pow` takes 2 arguments, got 1"),
            ("exp(1, 2)", 0, 3, "`exp` takes 1 argument, got 2"),
            ("if()", 0, 2, "`if` takes 3 arguments, got 0"),
            ("min(1)", 0, 3, "`min` takes 2 or more arguments, got 1"),
            ("a < b < c", 6, 1, "comparisons cannot be chained"),
            ("a <= b >= c", 7, 2, "comparisons cannot be chained"),
            ("1.2.3", 0, 5, "malformed number `1.2.3`"),
            ("1e", 0, 2, "malformed number `1e`"),
            ("2 * 1e+", 4, 3, "malformed number"),
            ("2x", 0, 2, "write `*` to multiply"),
            ("$x", 0, 1, "unexpected character `$`"),
            ("a + é", 4, 2, "unexpected character `é`"),
            ("a = 1", 2, 1, "write `==`"),
            ("a && b", 2, 1, "write `and`"),
            (
                "",
                0,
                0,
                "empty expression; expected a number, a name or a formula",
            ),
            ("  ", 2, 0, "empty expression"),
            ("exp + 1", 0, 3, "`exp` is a function; write exp(...)"),
            (
                "2 3",
                2,
                1,
                "unexpected `3` after the end of the expression; expected an operator",
            ),
            ("a b", 2, 1, "after the end of the expression"),
            ("(1 2)", 3, 1, "expected an operator or `)`"),
            ("min(1 2)", 6, 1, "expected an operator, `,` or `)`"),
            ("min(1, )", 7, 1, "unexpected `)`"),
            ("true(1)", 0, 4, "`true` is a keyword, not a function"),
            ("and(1)", 0, 3, "unexpected keyword `and`"),
            ("1 + not 0", 4, 3, "write `(not ...)`"),
            ("not", 3, 0, "unexpected end of the expression"),
            ("a + zz", 4, 2, "unknown name `zz`"),
            (
                "if(b > 1, a, unknown_thing)",
                13,
                13,
                "unknown name `unknown_thing`",
            ),
        ];
        for &(text, offset, len, message) in cases {
            let e = error(text);
            assert_eq!((e.offset, e.len), (offset, len), "{text:?}: {e:?}");
            assert!(
                e.message.contains(message),
                "{text:?}: message {:?} lacks {message:?}",
                e.message
            );
            assert_eq!(e.to_string(), e.message);
        }
    }

    #[test]
    fn stack_depth_limit() {
        // `a+(a+(...(a+a)...))` with n open parentheses needs n + 1 stack entries.
        let nested = |n: usize| format!("{}a{}", "a+(".repeat(n), ")".repeat(n));
        let ok = compile(&nested(STACK_SIZE - 1));
        assert_eq!(ok.eval(&[1.0; NAMES.len()]), STACK_SIZE as f64);
        let e = error(&nested(STACK_SIZE));
        assert_eq!((e.offset, e.len), (3 * STACK_SIZE, 1));
        assert!(e.message.contains("nests too deeply (more than 32 levels)"));

        // The same shape without names folds to a constant and needs one entry.
        let constant = nested(40).replace('a', "1");
        assert_eq!(compile(&constant).constant(), Some(41.0));

        // Long left-to-right chains need two entries, however long.
        let chain = vec!["a"; 100_000].join(" + ");
        assert_eq!(eval_with(&chain, &[1.0; NAMES.len()]), 100_000.0);
        let many = format!("max({})", vec!["b"; 1000].join(", "));
        assert_eq!(eval_with(&many, &[0.0, 4.0, 0.0, 0.0, 0.0, 0.0]), 4.0);
    }

    #[test]
    fn pathological_nesting_is_an_error_not_a_crash() {
        for prefix in ["(", "-", "not ", "2^", "exp(", "+"] {
            let text = format!("{}1", prefix.repeat(100_000));
            let e = Ast::parse(&text).unwrap_err();
            assert!(e.message.contains("nests too deeply"), "{prefix}: {e:?}");
            assert!(e.len >= 1 && e.offset + e.len <= text.len());
        }
        // Sixty levels of parentheses are still fine.
        let text = format!("{}a{}", "(".repeat(60), ")".repeat(60));
        assert_eq!(eval_with(&text, &[3.0; NAMES.len()]), 3.0);
    }

    // ------------------------------------------------------------------
    // Property test: the compiled evaluator agrees with a tree walker.
    // ------------------------------------------------------------------

    /// A tiny deterministic generator (Knuth's MMIX LCG), so the test needs no extra crates.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[self.below(items.len())]
        }
    }

    enum Tree {
        Num(&'static str, f64),
        Var(usize),
        Neg(Box<Tree>),
        Not(Box<Tree>),
        Bin(&'static str, Box<Tree>, Box<Tree>),
        Call(&'static str, Vec<Tree>),
    }

    const LITERALS: [(&str, f64); 11] = [
        ("0", 0.0),
        ("1", 1.0),
        ("2", 2.0),
        ("0.5", 0.5),
        (".25", 0.25),
        ("1e-3", 1e-3),
        ("2.5E+1", 25.0),
        ("1_000", 1000.0),
        ("3.75", 3.75),
        ("true", 1.0),
        ("false", 0.0),
    ];
    const BINARY: [&str; 14] = [
        "+", "-", "*", "/", "^", "<", "<=", ">", ">=", "==", "!=", "and", "or", "+",
    ];
    const CALLS: [&str; 9] = [
        "min", "max", "exp", "ln", "log10", "pow", "sqrt", "abs", "if",
    ];

    fn generate(rng: &mut Lcg, depth: usize) -> Tree {
        if depth == 0 || rng.below(4) == 0 {
            return if rng.below(2) == 0 {
                let (text, value) = rng.pick(&LITERALS);
                Tree::Num(text, value)
            } else {
                Tree::Var(rng.below(4))
            };
        }
        let sub = |rng: &mut Lcg| Box::new(generate(rng, depth - 1));
        match rng.below(10) {
            0 => Tree::Neg(sub(rng)),
            1 => Tree::Not(sub(rng)),
            2..=6 => {
                let op = rng.pick(&BINARY);
                let a = sub(rng);
                Tree::Bin(op, a, sub(rng))
            }
            _ => {
                let name = rng.pick(&CALLS);
                let count = match name {
                    "min" | "max" => 2 + rng.below(3),
                    "pow" => 2,
                    "if" => 3,
                    _ => 1,
                };
                Tree::Call(name, (0..count).map(|_| generate(rng, depth - 1)).collect())
            }
        }
    }

    fn truthy(x: f64) -> bool {
        !x.is_nan() && x != 0.0
    }

    fn as_f64(b: bool) -> f64 {
        if b { 1.0 } else { 0.0 }
    }

    /// Straightforward recursive evaluation, written independently of the bytecode.
    fn reference(tree: &Tree, vars: &[f64]) -> f64 {
        match tree {
            Tree::Num(_, value) => *value,
            Tree::Var(i) => vars[*i],
            Tree::Neg(x) => -reference(x, vars),
            Tree::Not(x) => as_f64(!truthy(reference(x, vars))),
            Tree::Bin(op, a, b) => {
                let (x, y) = (reference(a, vars), reference(b, vars));
                let any_nan = x.is_nan() || y.is_nan();
                match *op {
                    "+" => x + y,
                    "-" => x - y,
                    "*" => x * y,
                    "/" => x / y,
                    "^" => libm::pow(x, y),
                    "<" => as_f64(x < y),
                    "<=" => as_f64(x <= y),
                    ">" => as_f64(x > y),
                    ">=" => as_f64(x >= y),
                    "==" => as_f64(x == y),
                    "!=" => as_f64(!any_nan && x != y),
                    "and" => as_f64(truthy(x) && truthy(y)),
                    "or" => as_f64(truthy(x) || truthy(y)),
                    _ => unreachable!(),
                }
            }
            Tree::Call(name, args) => {
                let v: Vec<f64> = args.iter().map(|a| reference(a, vars)).collect();
                match *name {
                    "min" | "max" => {
                        if v.iter().any(|x| x.is_nan()) {
                            return f64::NAN;
                        }
                        let is_min = *name == "min";
                        let mut acc = v[0];
                        for &x in &v[1..] {
                            let better = if is_min {
                                x < acc || (x == acc && x.is_sign_negative())
                            } else {
                                x > acc || (x == acc && x.is_sign_positive())
                            };
                            if better {
                                acc = x;
                            }
                        }
                        acc
                    }
                    "exp" => libm::exp(v[0]),
                    "ln" => libm::log(v[0]),
                    "log10" => libm::log10(v[0]),
                    "pow" => libm::pow(v[0], v[1]),
                    "sqrt" => libm::sqrt(v[0]),
                    "abs" => v[0].abs(),
                    "if" => {
                        if truthy(v[0]) {
                            v[1]
                        } else {
                            v[2]
                        }
                    }
                    _ => unreachable!(),
                }
            }
        }
    }

    /// Precedence level of a tree's top operator (higher binds tighter).
    fn level(tree: &Tree) -> u8 {
        match tree {
            Tree::Num(..) | Tree::Var(_) | Tree::Call(..) => 9,
            Tree::Neg(_) => 7,
            Tree::Not(_) => 3,
            Tree::Bin(op, ..) => match *op {
                "or" => 1,
                "and" => 2,
                "+" | "-" => 5,
                "*" | "/" => 6,
                "^" => 8,
                _ => 4,
            },
        }
    }

    /// Renders with only the parentheses precedence requires (plus a few redundant ones), so the
    /// parser's precedence and associativity rules are what gets tested.
    fn render(tree: &Tree, min_level: u8, rng: &mut Lcg, out: &mut String) {
        let paren = level(tree) < min_level || rng.below(10) == 0;
        if paren {
            out.push('(');
        }
        let space = |rng: &mut Lcg| if rng.below(2) == 0 { " " } else { "" };
        match tree {
            Tree::Num(text, _) => out.push_str(text),
            Tree::Var(i) => out.push_str(NAMES[*i]),
            Tree::Neg(x) => {
                out.push_str("- ");
                render(x, 7, rng, out);
            }
            Tree::Not(x) => {
                out.push_str("not ");
                render(x, 3, rng, out);
            }
            Tree::Bin(op, a, b) => {
                let l = level(tree);
                let (left, right) = match l {
                    4 => (5, 5),
                    8 => (9, 7),
                    _ => (l, l + 1),
                };
                render(a, left, rng, out);
                // Word operators always need spaces around them.
                let s = if op.chars().all(char::is_alphabetic) {
                    " "
                } else {
                    space(rng)
                };
                out.push_str(s);
                out.push_str(op);
                out.push(' ');
                render(b, right, rng, out);
            }
            Tree::Call(name, args) => {
                out.push_str(name);
                out.push('(');
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        out.push_str(space(rng));
                    }
                    render(arg, 1, rng, out);
                }
                out.push(')');
            }
        }
        if paren {
            out.push(')');
        }
    }

    fn same(x: f64, y: f64) -> bool {
        x == y || (x.is_nan() && y.is_nan())
    }

    #[test]
    fn random_expressions_agree_with_tree_walker() {
        let mut rng = Lcg(0x7e57_b1a5);
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.5,
            2.0,
            0.3,
            1e10,
            f64::NAN,
            f64::INFINITY,
        ];
        for _ in 0..3_000 {
            let depth = 1 + rng.below(5);
            let tree = generate(&mut rng, depth);
            let mut text = String::new();
            render(&tree, 1, &mut rng, &mut text);
            let expr = compile(&text);
            for _ in 0..8 {
                let mut vars = [0.0; NAMES.len()];
                for v in vars.iter_mut().take(4) {
                    *v = rng.pick(&values);
                }
                let expected = reference(&tree, &vars);
                let actual = expr.eval(&vars);
                assert!(
                    same(actual, expected),
                    "{text}: got {actual}, expected {expected} for {vars:?}"
                );
            }
        }
    }

    #[test]
    fn random_input_never_panics() {
        const FRAGMENTS: [&str; 40] = [
            "a", "b", "x_1", "1", "0.5", ".5", "1e", "e", "E", "_", ".", "(", ")", ",", "+", "-",
            "*", "/", "^", "<", "<=", ">", "==", "!=", "=", "!", " ", "\n", "and", "or", "not",
            "min", "if", "pow", "exp", "true", "$", "é", "日本", "9_9",
        ];
        let mut rng = Lcg(42);
        for round in 0..30_000 {
            let text = if round % 3 == 0 {
                let bytes: Vec<u8> = (0..rng.below(24)).map(|_| rng.next() as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                (0..rng.below(16))
                    .map(|_| rng.pick(&FRAGMENTS))
                    .collect::<String>()
            };
            let check = |e: &ExprError| {
                assert!(e.offset + e.len <= text.len(), "{text:?}: {e:?}");
                assert!(text.is_char_boundary(e.offset), "{text:?}: {e:?}");
                assert!(text.is_char_boundary(e.offset + e.len), "{text:?}: {e:?}");
                assert!(e.len > 0 || e.offset == text.len(), "{text:?}: {e:?}");
                assert!(!e.message.is_empty());
            };
            match Ast::parse(&text) {
                Err(e) => check(&e),
                Ok(ast) => {
                    let names = ast.identifiers();
                    for (name, offset) in &names {
                        assert_eq!(&text[*offset..*offset + name.len()], *name);
                    }
                    let resolve = |name: &str| Some(name.len() % 3);
                    match ast.compile(&resolve) {
                        Err(e) => check(&e),
                        Ok(expr) => {
                            let _ = expr.eval(&[1.0, f64::NAN, -2.0]);
                        }
                    }
                }
            }
        }
    }
}
