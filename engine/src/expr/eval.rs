//! Compilation of an [`Ast`] to stack bytecode, with constant folding, and the interpreter
//! that runs it ([`Expr::eval`]).

use super::{Ast, Expr, ExprError, Item, Op, STACK_SIZE};

/// Mask that wraps an index into the evaluation stack; requires a power-of-two [`STACK_SIZE`].
const STACK_MASK: usize = STACK_SIZE - 1;
const _: () = assert!(STACK_SIZE.is_power_of_two());

impl Ast {
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
pub(super) fn flag(b: bool) -> f64 {
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
