//! Tests of parsing, compilation and evaluation of expressions.

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
        "a", "b", "x_1", "1", "0.5", ".5", "1e", "e", "E", "_", ".", "(", ")", ",", "+", "-", "*",
        "/", "^", "<", "<=", ">", "==", "!=", "=", "!", " ", "\n", "and", "or", "not", "min", "if",
        "pow", "exp", "true", "$", "é", "日本", "9_9",
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

#[test]
fn reserved_words_are_the_keywords_and_functions() {
    assert_eq!(
        RESERVED,
        [
            "and", "or", "not", "true", "false", "min", "max", "exp", "ln", "log10", "pow", "sqrt",
            "abs", "if",
        ]
    );
    // None of them can be read as a name: each either fails to parse or yields no identifier.
    for word in RESERVED {
        let names = Ast::parse(word).map(|ast| ast.identifiers().len());
        assert!(matches!(names, Err(_) | Ok(0)), "{word}: {names:?}");
    }
    assert_eq!(Ast::parse("ifs").unwrap().identifiers(), [("ifs", 0)]);
}
