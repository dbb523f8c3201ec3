//! The parsed form of an expression ([`Expr`]), the references it reads, and a printer whose
//! output parses back to the same tree.

use std::fmt::{self, Write as _};

use super::functions::Func;
use super::lexer::{SINGLE_QUOTES, is_valid_ref_name};
use super::value::format_number;

/// A parsed, validated expression. Build it with [`super::parse`]; evaluate it with
/// [`Expr::eval`]. `Display` prints a canonical source that parses back to an equal `Expr`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub(super) root: Node,
}

/// A node of the tree. Operators of one precedence level are kept flat ([`Node::Chain`]) so a
/// long `a or b or c ...` does not deepen the tree, keeping evaluation recursion bounded by the
/// parser's nesting limit.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Number(f64),
    Literal(String),
    Ref(String),
    /// `${last-saved#name}`: the answer `name` had in the last saved submission.
    LastSaved(String),
    /// A relative path of names only (`FALSE`, `name`, `P_Demographic/P_SN`, kept joined by
    /// `/`): children of the context node. A question has none, so outside choice filters and
    /// lookup predicates this is an empty node-set, as in XPath.
    Bare(String),
    Path(Path),
    Lookup(Box<Lookup>),
    Neg(Box<Node>),
    /// `first op1 x1 op2 x2 ...`, all operators of one precedence level, left-associative.
    Chain(Box<Node>, Vec<(BinOp, Node)>),
    Union(Vec<Node>),
    Call(Func, Vec<Node>),
    /// A function Terreno does not know, kept only in constraints (see
    /// [`super::parse_constraint`]): evaluating it fails.
    Unknown(String, Vec<Node>),
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BinOp {
    Or,
    And,
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinOp {
    pub(super) fn symbol(self) -> &'static str {
        match self {
            Self::Or => "or",
            Self::And => "and",
            Self::Eq => "=",
            Self::Neq => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "div",
            Self::Mod => "mod",
        }
    }

    /// Binding strength, as in XPath 1.0: `or` loosest, multiplicative tightest.
    pub(super) fn precedence(self) -> u8 {
        match self {
            Self::Or => 1,
            Self::And => 2,
            Self::Eq | Self::Neq => 3,
            Self::Lt | Self::Le | Self::Gt | Self::Ge => 4,
            Self::Add | Self::Sub => 5,
            Self::Mul | Self::Div | Self::Mod => 6,
        }
    }
}

const NEG_PRECEDENCE: u8 = 7;
const UNION_PRECEDENCE: u8 = 8;
const PRIMARY_PRECEDENCE: u8 = 9;

/// A location path outside lookups; it reads the question named by its last step.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Path {
    pub start: PathStart,
    pub steps: Vec<Step>,
}

/// Where a path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PathStart {
    /// `/data/...`.
    Root,
    /// `.`, `..`, `../q`.
    Relative,
    /// `current()/../q`.
    Current,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
    SelfNode,
    Parent,
    Name(String),
}

impl Path {
    /// The question the path names: its last step, when that is a name.
    pub(super) fn question(&self) -> Option<&str> {
        match self.steps.last() {
            Some(Step::Name(name)) => Some(name),
            _ => None,
        }
    }

    /// Whether the path is the context node itself (`.`, `./.`, `current()`).
    pub(super) fn is_current(&self) -> bool {
        self.start != PathStart::Root && self.steps.iter().all(|s| *s == Step::SelfNode)
    }
}

/// `instance('list')/root/item[predicate]/column`: a path into a secondary instance (a choice
/// list, a media table). The first step is the instance's root element, the second its rows,
/// the rest a column path inside a row; each step may carry predicates (`[name = ${x}]`,
/// `[2]`), evaluated with the step's node as context.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Lookup {
    pub instance: String,
    pub steps: Vec<LookupStep>,
}

/// One step of a [`Lookup`].
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LookupStep {
    pub name: String,
    pub predicates: Vec<Node>,
}

impl Expr {
    /// Every question referenced as `${name}`, in order of first appearance, without
    /// duplicates. References written inside string literals count too
    /// (`jr:choice-name(${q}, '${q}')`), as XLSForm substitutes them there as well.
    pub fn references(&self) -> Vec<String> {
        let mut names = Vec::new();
        self.root.collect_references(&mut names);
        names
    }

    /// The questions read as `${last-saved#name}`, in order of first appearance. They are not
    /// dependencies: the value comes from an earlier submission.
    pub fn last_saved(&self) -> Vec<String> {
        let mut names = Vec::new();
        self.root.visit(&mut |node| {
            if let Node::LastSaved(name) = node {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        });
        names
    }

    /// The questions read through location paths (`../amount`, `/data/debt/balance`,
    /// `current()/../q`), inside lookup predicates too: dependencies, like `${name}`.
    pub fn path_questions(&self) -> Vec<String> {
        let mut names = Vec::new();
        self.root.visit_all(&mut |node| {
            if let Node::Path(path) = node {
                if let Some(name) = path.question() {
                    if !names.iter().any(|n| n == name) {
                        names.push(name.to_owned());
                    }
                }
            }
        });
        names
    }

    /// The functions Terreno does not know, kept by [`super::parse_constraint`], in order.
    pub fn unknown_functions(&self) -> Vec<String> {
        let mut names = Vec::new();
        self.root.visit(&mut |node| {
            if let Node::Unknown(name, _) = node {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        });
        names
    }

    /// The bare names (relative paths of names) outside lookup predicates, in order: in a
    /// question's expression they read children the question does not have, so they are
    /// always empty — almost always a forgotten quote (`yes`) or function (`TRUE`).
    pub fn bare_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        self.root.visit(&mut |node| {
            if let Node::Bare(name) = node {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        });
        names
    }
}

impl Node {
    /// Calls `f` on this node and every node below it, except inside lookup predicates (whose
    /// bare names read the instance, not the question).
    fn visit(&self, f: &mut dyn FnMut(&Node)) {
        f(self);
        match self {
            Self::Neg(inner) => inner.visit(f),
            Self::Chain(first, rest) => {
                first.visit(f);
                rest.iter().for_each(|(_, n)| n.visit(f));
            }
            Self::Union(nodes) | Self::Call(_, nodes) | Self::Unknown(_, nodes) => {
                nodes.iter().for_each(|n| n.visit(f));
            }
            _ => {}
        }
    }

    fn collect_references(&self, names: &mut Vec<String>) {
        let mut add = |name: &str| {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        };
        match self {
            Self::Ref(name) => add(name),
            Self::Literal(text) => literal_references(text).for_each(add),
            Self::Number(_) | Self::Path(_) | Self::Bare(_) | Self::LastSaved(_) => {}
            Self::Lookup(lookup) => lookup
                .steps
                .iter()
                .flat_map(|step| &step.predicates)
                .for_each(|n| n.collect_references(names)),
            Self::Neg(inner) => inner.collect_references(names),
            Self::Chain(first, rest) => {
                first.collect_references(names);
                rest.iter().for_each(|(_, n)| n.collect_references(names));
            }
            Self::Union(nodes) | Self::Call(_, nodes) | Self::Unknown(_, nodes) => {
                nodes.iter().for_each(|n| n.collect_references(names));
            }
        }
    }

    /// Calls `f` on this node and every node below it, lookup predicates included.
    fn visit_all(&self, f: &mut dyn FnMut(&Node)) {
        self.visit(&mut |node| {
            f(node);
            if let Node::Lookup(lookup) = node {
                for predicate in lookup.steps.iter().flat_map(|step| &step.predicates) {
                    predicate.visit_all(f);
                }
            }
        });
    }

    /// How tightly the node binds when printed as an operand.
    fn precedence(&self) -> u8 {
        match self {
            Self::Chain(_, rest) => rest
                .first()
                .map_or(PRIMARY_PRECEDENCE, |(op, _)| op.precedence()),
            Self::Neg(_) => NEG_PRECEDENCE,
            Self::Union(_) => UNION_PRECEDENCE,
            _ => PRIMARY_PRECEDENCE,
        }
    }
}

/// The valid `${name}` occurrences in a string literal.
pub(super) fn literal_references(text: &str) -> impl Iterator<Item = &str> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|name| is_valid_ref_name(name))
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(f, &self.root)
    }
}

/// Writes `node`, in parentheses when it binds no tighter than `level` (so flat chains and
/// explicit grouping both survive a round trip).
fn write_operand(f: &mut fmt::Formatter<'_>, node: &Node, level: u8) -> fmt::Result {
    if node.precedence() <= level {
        f.write_char('(')?;
        write_node(f, node)?;
        f.write_char(')')
    } else {
        write_node(f, node)
    }
}

fn write_node(f: &mut fmt::Formatter<'_>, node: &Node) -> fmt::Result {
    match node {
        Node::Number(n) => f.write_str(&format_number(*n)),
        Node::Literal(text) => write_literal(f, text),
        Node::Ref(name) => write!(f, "${{{name}}}"),
        Node::LastSaved(name) => write!(f, "${{last-saved#{name}}}"),
        Node::Bare(path) => f.write_str(path),
        Node::Path(path) => write_path(f, path),
        Node::Lookup(l) => {
            f.write_str("instance(")?;
            write_literal(f, &l.instance)?;
            f.write_char(')')?;
            for step in &l.steps {
                write!(f, "/{}", step.name)?;
                for predicate in &step.predicates {
                    f.write_char('[')?;
                    write_node(f, predicate)?;
                    f.write_char(']')?;
                }
            }
            Ok(())
        }
        Node::Neg(inner) => {
            f.write_char('-')?;
            write_operand(f, inner, NEG_PRECEDENCE - 1)
        }
        Node::Chain(first, rest) => {
            let level = node.precedence();
            write_operand(f, first, level)?;
            for (op, operand) in rest {
                write!(f, " {} ", op.symbol())?;
                write_operand(f, operand, level)?;
            }
            Ok(())
        }
        Node::Union(nodes) => {
            for (i, operand) in nodes.iter().enumerate() {
                if i > 0 {
                    f.write_str(" | ")?;
                }
                write_operand(f, operand, UNION_PRECEDENCE)?;
            }
            Ok(())
        }
        Node::Call(func, args) => write_call(f, func.name(), args),
        Node::Unknown(name, args) => write_call(f, name, args),
    }
}

fn write_call(f: &mut fmt::Formatter<'_>, name: &str, args: &[Node]) -> fmt::Result {
    write!(f, "{name}(")?;
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write_node(f, arg)?;
    }
    f.write_char(')')
}

fn write_literal(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    // XPath literals have no escapes; a lexed literal never holds quotes of both families
    // (plain or typographic, see the lexer).
    let quote = if text.contains(SINGLE_QUOTES) {
        '"'
    } else {
        '\''
    };
    write!(f, "{quote}{text}{quote}")
}

fn write_path(f: &mut fmt::Formatter<'_>, path: &Path) -> fmt::Result {
    match path.start {
        PathStart::Root => f.write_char('/')?,
        PathStart::Relative => {}
        PathStart::Current => f.write_str("current()/")?,
    }
    for (i, step) in path.steps.iter().enumerate() {
        if i > 0 {
            f.write_char('/')?;
        }
        match step {
            Step::SelfNode => f.write_char('.')?,
            Step::Parent => f.write_str("..")?,
            Step::Name(name) => f.write_str(name)?,
        }
    }
    Ok(())
}
