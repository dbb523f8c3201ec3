//! Recursive-descent parser from tokens to [`Expr`], with XPath 1.0 precedence, the nesting
//! limit, and the import-time checks of function names, arities and lookup shapes.

use super::ast::{BinOp, Expr, Node, Path, PathStart};
use super::error::ExprError;
use super::fn_text::build_regex;
use super::functions::Func;
use super::lexer::{Tok, Token, describe, tokenize};
use super::{MAX_DEPTH, MAX_SOURCE_BYTES};

/// Parses a whole XLSForm expression (a `relevant`, `constraint`, `calculation`, ... cell).
///
/// Fails with the character offset of the problem: syntax errors, unknown or refused
/// functions (at the function name), wrong arity, unsupported XPath, an empty source, a source
/// over [`MAX_SOURCE_BYTES`] or nesting deeper than [`MAX_DEPTH`].
pub fn parse(source: &str) -> Result<Expr, ExprError> {
    parse_with(source, false)
}

/// Parses a `constraint` cell: as [`parse`], except that a function Terreno does not know
/// (`wq:length(5)`) is kept, listed by [`Expr::unknown_functions`], and fails when evaluated.
/// ODK checks a constraint only when an answer is given, so a form with one loads in Collect
/// and fails at that answer; its other errors (syntax, arity, refused functions) still refuse.
pub fn parse_constraint(source: &str) -> Result<Expr, ExprError> {
    parse_with(source, true)
}

fn parse_with(source: &str, allow_unknown: bool) -> Result<Expr, ExprError> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(ExprError::new(
            0,
            format!("expression longer than {MAX_SOURCE_BYTES} bytes"),
        ));
    }
    let tokens = tokenize(source)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
        allow_unknown,
    };
    if parser.peek() == &Tok::Eof {
        return Err(ExprError::new(0, "empty expression"));
    }
    let root = parser.parse_expr()?;
    match parser.peek() {
        Tok::Eof => Ok(Expr { root }),
        other => Err(parser.error(format!("unexpected {}", describe(other)))),
    }
}

pub(super) struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    /// Keep unknown functions as [`Node::Unknown`] (see [`parse_constraint`]).
    allow_unknown: bool,
}

/// The loosest and tightest binary precedence levels (see [`BinOp::precedence`]).
const LOOSEST: u8 = 1;
const TIGHTEST: u8 = 6;

impl Parser {
    pub(super) fn peek(&self) -> &Tok {
        // The token list always ends with Eof and the parser never advances past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)].tok
    }

    pub(super) fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)].tok
    }

    pub(super) fn offset(&self) -> usize {
        self.tokens[self.pos.min(self.tokens.len() - 1)].offset
    }

    pub(super) fn advance(&mut self) {
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
    }

    pub(super) fn error(&self, message: impl Into<String>) -> ExprError {
        ExprError::new(self.offset(), message)
    }

    pub(super) fn expect(&mut self, tok: &Tok, what: &str) -> Result<(), ExprError> {
        if self.peek() == tok {
            self.advance();
            Ok(())
        } else {
            Err(self.error(format!("expected {what}, found {}", describe(self.peek()))))
        }
    }

    /// Runs `f` one nesting level deeper, refusing to go past [`MAX_DEPTH`] so neither this
    /// parser nor the evaluator can exhaust the stack.
    pub(super) fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ExprError>,
    ) -> Result<T, ExprError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("expression nested deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    pub(super) fn parse_expr(&mut self) -> Result<Node, ExprError> {
        self.nested(|p| p.parse_level(LOOSEST))
    }

    /// One binary precedence level, flattened into a [`Node::Chain`].
    pub(super) fn parse_level(&mut self, level: u8) -> Result<Node, ExprError> {
        if level > TIGHTEST {
            return self.parse_unary();
        }
        let first = self.parse_level(level + 1)?;
        let mut rest = Vec::new();
        while let Some(op) = self.binary_op().filter(|op| op.precedence() == level) {
            self.advance();
            rest.push((op, self.parse_level(level + 1)?));
        }
        Ok(if rest.is_empty() {
            first
        } else {
            Node::Chain(Box::new(first), rest)
        })
    }

    /// The operator at the current token, read in operator position (where `and`, `div`, ...
    /// are operators and `*` is multiplication).
    fn binary_op(&self) -> Option<BinOp> {
        Some(match self.peek() {
            Tok::Name(name) => match name.as_str() {
                "or" => BinOp::Or,
                "and" => BinOp::And,
                "div" => BinOp::Div,
                "mod" => BinOp::Mod,
                _ => return None,
            },
            Tok::Eq => BinOp::Eq,
            Tok::Neq => BinOp::Neq,
            Tok::Lt => BinOp::Lt,
            Tok::Le => BinOp::Le,
            Tok::Gt => BinOp::Gt,
            Tok::Ge => BinOp::Ge,
            Tok::Plus => BinOp::Add,
            Tok::Minus => BinOp::Sub,
            Tok::Star => BinOp::Mul,
            _ => return None,
        })
    }

    fn parse_unary(&mut self) -> Result<Node, ExprError> {
        if self.peek() == &Tok::Minus {
            self.advance();
            return self.nested(|p| Ok(Node::Neg(Box::new(p.parse_unary()?))));
        }
        let first = self.parse_operand()?;
        if self.peek() != &Tok::Pipe {
            return Ok(first);
        }
        let mut nodes = vec![first];
        while self.peek() == &Tok::Pipe {
            self.advance();
            nodes.push(self.parse_operand()?);
        }
        Ok(Node::Union(nodes))
    }

    /// A primary expression or a location path.
    fn parse_operand(&mut self) -> Result<Node, ExprError> {
        let node = match self.peek().clone() {
            Tok::Number(n) if !n.is_finite() => return Err(self.error("number too large")),
            Tok::Number(n) => {
                self.advance();
                Node::Number(n)
            }
            Tok::Literal(text) => {
                self.advance();
                Node::Literal(text)
            }
            Tok::Ref(name) => {
                self.advance();
                Node::Ref(name)
            }
            Tok::LParen => {
                self.advance();
                let inner = self.parse_expr()?;
                self.expect(&Tok::RParen, "')'")?;
                inner
            }
            Tok::LastSaved(name) => {
                self.advance();
                Node::LastSaved(name)
            }
            Tok::Name(_) if self.peek_at(1) == &Tok::LParen => self.parse_call()?,
            Tok::Name(_) => self.parse_bare()?,
            Tok::Slash => {
                self.advance();
                let steps = if self.at_step() {
                    self.parse_steps()?
                } else {
                    Vec::new()
                };
                Node::Path(Path {
                    start: PathStart::Root,
                    steps,
                })
            }
            Tok::Dot | Tok::DotDot => Node::Path(Path {
                start: PathStart::Relative,
                steps: self.parse_steps()?,
            }),
            other => return Err(self.unsupported(&other, "expected a value")),
        };
        if matches!(self.peek(), Tok::Slash | Tok::DoubleSlash | Tok::LBracket) {
            return Err(self
                .error("a path or filter may follow only a path, current() or instance('list')"));
        }
        Ok(node)
    }

    fn parse_call(&mut self) -> Result<Node, ExprError> {
        let name_offset = self.offset();
        let Tok::Name(name) = self.peek().clone() else {
            return Err(self.error("expected a function name"));
        };
        if name == "instance" {
            return self.parse_lookup();
        }
        if name == "current" && self.peek_at(2) == &Tok::RParen && self.peek_at(3) == &Tok::Slash {
            for _ in 0..4 {
                self.advance();
            }
            return Ok(Node::Path(Path {
                start: PathStart::Current,
                steps: self.parse_steps()?,
            }));
        }
        let (func, min, max) = match Func::lookup(&name) {
            Ok(found) => found,
            Err(_) if self.allow_unknown && !Func::is_refused(&name) => {
                self.advance();
                let (args, _) = self.parse_args()?;
                return Ok(Node::Unknown(name, args));
            }
            Err(message) => return Err(ExprError::new(name_offset, message)),
        };
        self.advance();
        let (args, offsets) = self.parse_args()?;
        if args.len() < min || args.len() > max {
            return Err(ExprError::new(
                name_offset,
                format!(
                    "{name}() takes {}, found {}",
                    arity_text(min, max),
                    args.len()
                ),
            ));
        }
        check_args(func, &args, &offsets)?;
        Ok(Node::Call(func, args))
    }

    /// `'(' (expr (',' expr)*)? ')'`, with each argument's offset.
    fn parse_args(&mut self) -> Result<(Vec<Node>, Vec<usize>), ExprError> {
        self.expect(&Tok::LParen, "'('")?;
        let (mut args, mut offsets) = (Vec::new(), Vec::new());
        if self.peek() == &Tok::RParen {
            self.advance();
            return Ok((args, offsets));
        }
        loop {
            offsets.push(self.offset());
            args.push(self.parse_expr()?);
            match self.peek() {
                Tok::Comma => self.advance(),
                Tok::RParen => {
                    self.advance();
                    return Ok((args, offsets));
                }
                other => {
                    return Err(self.error(format!(
                        "expected ',' or ')' in the arguments, found {}",
                        describe(other)
                    )));
                }
            }
        }
    }
}

/// Import-time checks of particular arguments.
fn check_args(func: Func, args: &[Node], offsets: &[usize]) -> Result<(), ExprError> {
    let needs_nodes: &[usize] = match func {
        Func::Count | Func::CountNonEmpty | Func::Sum => &[0],
        Func::IndexedRepeat => &[0, 1],
        Func::Position => &[0],
        _ => &[],
    };
    for &i in needs_nodes.iter().filter(|&&i| i < args.len()) {
        let is_reference = match &args[i] {
            Node::Ref(_) | Node::Union(_) => true,
            Node::Path(path) => func == Func::Position || path.question().is_some(),
            Node::Lookup(_) | Node::Bare(_) => func != Func::IndexedRepeat,
            _ => false,
        };
        if !is_reference {
            return Err(ExprError::new(
                offsets[i],
                format!(
                    "{}() needs a question reference such as ${{q}}",
                    func.name()
                ),
            ));
        }
    }
    if func == Func::WeightedChecklist && args.len() % 2 != 0 {
        return Err(ExprError::new(
            offsets[0],
            "weighted-checklist() takes min, max, then value and weight pairs",
        ));
    }
    if let (Func::Regex, Some(Node::Literal(pattern))) = (func, args.get(1)) {
        build_regex(pattern).map_err(|message| ExprError::new(offsets[1], message))?;
    }
    Ok(())
}

fn arity_text(min: usize, max: usize) -> String {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    if min == max {
        format!("{min} {}", plural(min))
    } else if max == usize::MAX {
        format!("at least {min} {}", plural(min))
    } else {
        format!("{min} to {max} arguments")
    }
}
