//! Location paths (`/data/q`, `../q`, `current()/../q`) and lookups
//! (`instance('list')/root/item[column = value]/result`): the shapes Terreno accepts, and clear
//! refusals for the XPath it does not (`//`, `@attr`, `*`, predicates outside lookups).

use super::ast::{Lookup, Node, Step};
use super::error::ExprError;
use super::lexer::{Tok, describe};
use super::parser::Parser;

/// Lookup filters are `column = value`: the value binds tighter than `=`.
const FILTER_VALUE_LEVEL: u8 = 4;

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

    /// `instance('list')/root/item[column = value]/result`.
    pub(super) fn parse_lookup(&mut self) -> Result<Node, ExprError> {
        const SHAPE: &str = "the lookup shape instance('list')/root/item[name = ${x}]/label";
        self.advance();
        self.expect(&Tok::LParen, "'('")?;
        let Tok::Literal(instance) = self.peek().clone() else {
            return Err(self.error("instance() takes the list name as a quoted string"));
        };
        self.advance();
        self.expect(&Tok::RParen, "')'")?;
        self.expect(&Tok::Slash, SHAPE)?;
        let root = self.lookup_name(SHAPE)?;
        self.expect(&Tok::Slash, SHAPE)?;
        let item = self.lookup_name(SHAPE)?;
        self.expect(&Tok::LBracket, SHAPE)?;
        let column = self.lookup_name("a filter [column = value]")?;
        self.expect(&Tok::Eq, "'=' in the filter [column = value]")?;
        let filter = self.nested(|p| p.parse_level(FILTER_VALUE_LEVEL))?;
        self.expect(
            &Tok::RBracket,
            "']' (one filter [column = value] per lookup)",
        )?;
        if self.peek() == &Tok::LBracket {
            return Err(self.error("only one filter [column = value] per lookup is supported"));
        }
        self.expect(&Tok::Slash, SHAPE)?;
        let result = self.lookup_name(SHAPE)?;
        if matches!(self.peek(), Tok::Slash | Tok::DoubleSlash | Tok::LBracket) {
            return Err(self.error(SHAPE));
        }
        Ok(Node::Lookup(Box::new(Lookup {
            instance,
            root,
            item,
            column,
            filter,
            result,
        })))
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
