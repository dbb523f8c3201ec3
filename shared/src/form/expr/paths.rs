//! Location paths (`/data/q`, `../q`, `current()/../q`), bare names (`name`, `a/b`: children of
//! the context node) and lookups (`instance('list')/root/item[name = ${x}]/label`, any steps and
//! predicates): the shapes Terreno accepts, and clear refusals for the XPath it does not (`//`,
//! `@attr`, `*`, predicates outside lookups).

use super::ast::{Lookup, LookupStep, Node, Step};
use super::error::ExprError;
use super::lexer::{Tok, describe};
use super::parser::Parser;

impl Parser {
    pub(super) fn unsupported(&self, tok: &Tok, context: &str) -> ExprError {
        self.error(match tok {
            Tok::DoubleSlash => "'//' (search at any depth) is not supported".to_owned(),
            Tok::At => "attributes (@name) are not supported".to_owned(),
            Tok::Star => "the wildcard '*' is not supported as a path step".to_owned(),
            Tok::LBracket => {
                "predicates [...] are supported only in instance(...) lookups".to_owned()
            }
            other => format!("{context}, found {}", describe(other)),
        })
    }

    pub(super) fn at_step(&self) -> bool {
        match self.peek() {
            Tok::Dot | Tok::DotDot => true,
            Tok::Name(_) => self.peek_at(1) != &Tok::LParen,
            _ => false,
        }
    }

    /// `step ('/' step)*`.
    pub(super) fn parse_steps(&mut self) -> Result<Vec<Step>, ExprError> {
        let mut steps = vec![self.parse_step()?];
        while self.peek() == &Tok::Slash {
            self.advance();
            steps.push(self.parse_step()?);
        }
        if matches!(self.peek(), Tok::DoubleSlash | Tok::LBracket) {
            return Err(self.unsupported(&self.peek().clone(), ""));
        }
        Ok(steps)
    }

    pub(super) fn parse_step(&mut self) -> Result<Step, ExprError> {
        let step = match self.peek().clone() {
            Tok::Dot => Step::SelfNode,
            Tok::DotDot => Step::Parent,
            Tok::Name(name) if self.peek_at(1) != &Tok::LParen => Step::Name(name),
            Tok::Name(name) => {
                return Err(self.error(format!("'{name}()' is not supported as a path step")));
            }
            other => return Err(self.unsupported(&other, "expected a step name after '/'")),
        };
        self.advance();
        Ok(step)
    }

    /// A bare name, or a relative path of names (`P_Demographic/P_SN`): the context node's
    /// children (see [`Node::Bare`]).
    pub(super) fn parse_bare(&mut self) -> Result<Node, ExprError> {
        let mut path = self.lookup_name("a name")?;
        while self.peek() == &Tok::Slash {
            self.advance();
            path.push('/');
            path.push_str(&self.lookup_name("a child name after '/'")?);
        }
        Ok(Node::Bare(path))
    }

    /// `instance('list')/root/item[predicate]/column`, any number of steps, each with any
    /// number of predicates.
    pub(super) fn parse_lookup(&mut self) -> Result<Node, ExprError> {
        const SHAPE: &str = "a lookup path such as instance('list')/root/item[name = ${x}]/label";
        self.advance();
        self.expect(&Tok::LParen, "'('")?;
        let Tok::Literal(instance) = self.peek().clone() else {
            return Err(self.error("instance() takes the list name as a quoted string"));
        };
        self.advance();
        self.expect(&Tok::RParen, "')'")?;
        let mut steps = Vec::new();
        while self.peek() == &Tok::Slash {
            self.advance();
            let name = self.lookup_name(SHAPE)?;
            let mut predicates = Vec::new();
            while self.peek() == &Tok::LBracket {
                self.advance();
                predicates.push(self.parse_expr()?);
                self.expect(&Tok::RBracket, "']' closing the predicate")?;
            }
            steps.push(LookupStep { name, predicates });
        }
        if steps.is_empty() || self.peek() == &Tok::DoubleSlash {
            return Err(self.error(SHAPE));
        }
        Ok(Node::Lookup(Box::new(Lookup { instance, steps })))
    }

    pub(super) fn lookup_name(&mut self, what: &str) -> Result<String, ExprError> {
        match self.peek().clone() {
            Tok::Name(name) if self.peek_at(1) != &Tok::LParen => {
                self.advance();
                Ok(name)
            }
            other => Err(self.error(format!("expected {what}, found {}", describe(&other)))),
        }
    }
}
