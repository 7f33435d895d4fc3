//! The recursive-descent parser: expression text to an [`Ast`], with the table of built-in
//! functions.

use super::eval::flag;
use super::lexer::{Kind, Lexer, Token};
use super::{Ast, ExprError, Item, Op};

/// Deepest nesting of parentheses, calls and prefix operators the parser accepts.
///
/// The parser is recursive, so without a bound a string of a million `(` would overflow the
/// native stack and abort the process instead of producing an error.
const MAX_NESTING: usize = 64;

/// What an operand position accepts, used in "expected …" messages.
const EXPECTED_OPERAND: &str = "a number, a name or `(`";

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Arity {
    Exactly(usize),
    AtLeast(usize),
}

/// The built-in functions, in the order error messages list them.
pub(super) const FUNCTIONS: [(&str, Op, Arity); 9] = [
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
}

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
        let mut lexer = Lexer::new(text);
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
