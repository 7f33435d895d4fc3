//! The lexer: splits expression text into tokens on demand, and the keyword table.

use super::ExprError;

/// Token kinds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind<'a> {
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

/// The keywords, in the order [`RESERVED`](super::RESERVED) lists them; any other word is a name.
pub(super) const KEYWORDS: [(&str, Kind<'static>); 5] = [
    ("and", Kind::And),
    ("or", Kind::Or),
    ("not", Kind::Not),
    ("true", Kind::True),
    ("false", Kind::False),
];

/// A token with its location; `text` is the exact source slice (empty at the end of input).
#[derive(Debug, Clone, Copy)]
pub(super) struct Token<'a> {
    pub(super) kind: Kind<'a>,
    pub(super) offset: usize,
    pub(super) text: &'a str,
}

impl Token<'_> {
    pub(super) fn len(&self) -> usize {
        self.text.len()
    }

    /// The token as it should appear in a message.
    pub(super) fn describe(&self) -> String {
        if self.kind == Kind::End {
            "end of the expression".to_owned()
        } else {
            format!("`{}`", self.text)
        }
    }
}

/// Splits the text into tokens on demand, so that the parser reports the leftmost problem
/// whether it is lexical or syntactic.
pub(super) struct Lexer<'a> {
    text: &'a str,
    /// Always on a character boundary: only ASCII bytes are ever stepped over.
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `text`.
    pub(super) fn new(text: &'a str) -> Lexer<'a> {
        Lexer { text, pos: 0 }
    }

    pub(super) fn next_token(&mut self) -> Result<Token<'a>, ExprError> {
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
                let kind = KEYWORDS
                    .iter()
                    .find(|(keyword, _)| *keyword == word)
                    .map_or(Kind::Ident(word), |&(_, kind)| kind);
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
