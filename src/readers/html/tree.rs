//! The element tree the HTML reader walks: elements with the few attributes it reads
//! (`colspan`, `rowspan`, `<meta>`'s `name` and `content`), text and comments, in one arena.
//!
//! It is built directly by [`super::direct`] for the pages whose tree that builder is certain of,
//! and converted from html5ever's for the rest, so the document is read from one shape of tree
//! whichever parser made it.

use scraper::{Html, Node as DomNode};
use std::borrow::Cow;

/// An index into the tree's arena.
pub(super) type NodeId = u32;

/// No node (the end of a sibling chain, the root's parent).
const NONE: NodeId = NodeId::MAX;

/// Attributes the reader looks at; the others are not kept.
pub(super) const READ_ATTRIBUTES: &[&str] = &["colspan", "rowspan", "name", "content"];

/// An element's attributes: lower-case name and value.
pub(super) type Attributes<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// What a node is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind<'a> {
    /// The document.
    Root,
    /// An element: its lower-case name and its [`READ_ATTRIBUTES`], first occurrence of each.
    Element {
        name: Cow<'a, str>,
        attributes: Attributes<'a>,
    },
    /// A text node (adjacent text is one node, as the HTML tree builder makes it).
    Text(Cow<'a, str>),
    /// A comment; only where it stands matters (it separates text nodes).
    Comment,
}

#[derive(Debug, Clone)]
struct Node<'a> {
    kind: Kind<'a>,
    parent: NodeId,
    first_child: NodeId,
    last_child: NodeId,
    previous_sibling: NodeId,
    next_sibling: NodeId,
}

/// A document tree; node 0 is the root.
#[derive(Debug, Clone)]
pub(super) struct Tree<'a> {
    nodes: Vec<Node<'a>>,
}

/// Entering or leaving a node in a traversal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Edge {
    Open(NodeId),
    Close(NodeId),
}

impl<'a> Tree<'a> {
    /// The root node.
    pub(super) const ROOT: NodeId = 0;

    /// A tree holding only its root.
    pub(super) fn new() -> Self {
        Tree {
            nodes: vec![Node {
                kind: Kind::Root,
                parent: NONE,
                first_child: NONE,
                last_child: NONE,
                previous_sibling: NONE,
                next_sibling: NONE,
            }],
        }
    }

    /// How many nodes the tree holds.
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    fn node(&self, id: NodeId) -> &Node<'a> {
        &self.nodes[id as usize]
    }

    /// Appends `kind` as the last child of `parent`.
    pub(super) fn append(&mut self, parent: NodeId, kind: Kind<'a>) -> NodeId {
        let id = NodeId::try_from(self.nodes.len()).unwrap_or(NONE);
        let previous = self.node(parent).last_child;
        self.nodes.push(Node {
            kind,
            parent,
            first_child: NONE,
            last_child: NONE,
            previous_sibling: previous,
            next_sibling: NONE,
        });
        if previous == NONE {
            self.nodes[parent as usize].first_child = id;
        } else {
            self.nodes[previous as usize].next_sibling = id;
        }
        self.nodes[parent as usize].last_child = id;
        id
    }

    /// Appends text to `parent`, joining it to a text node that is already its last child.
    pub(super) fn append_text(&mut self, parent: NodeId, text: Cow<'a, str>) {
        let last = self.node(parent).last_child;
        if last != NONE {
            if let Kind::Text(existing) = &mut self.nodes[last as usize].kind {
                existing.to_mut().push_str(&text);
                return;
            }
        }
        self.append(parent, Kind::Text(text));
    }

    /// Inserts text just before `sibling` (which has a parent), joining it to a text node that
    /// is already there: where the tree builder moves text met between a table's rows.
    pub(super) fn insert_text_before(&mut self, sibling: NodeId, text: Cow<'a, str>) -> bool {
        let parent = self.node(sibling).parent;
        if parent == NONE {
            return false;
        }
        let previous = Some(self.node(sibling).previous_sibling).filter(|&p| p != NONE);
        if let Some(previous) = previous {
            if let Kind::Text(existing) = &mut self.nodes[previous as usize].kind {
                existing.to_mut().push_str(&text);
                return true;
            }
        }
        let Ok(id) = NodeId::try_from(self.nodes.len()) else {
            return false;
        };
        self.nodes.push(Node {
            kind: Kind::Text(text),
            parent,
            first_child: NONE,
            last_child: NONE,
            previous_sibling: previous.unwrap_or(NONE),
            next_sibling: sibling,
        });
        self.nodes[sibling as usize].previous_sibling = id;
        match previous {
            Some(previous) => self.nodes[previous as usize].next_sibling = id,
            None => self.nodes[parent as usize].first_child = id,
        }
        true
    }

    /// What the node is.
    pub(super) fn kind(&self, id: NodeId) -> &Kind<'a> {
        &self.node(id).kind
    }

    /// The element's name; `None` for other nodes.
    pub(super) fn name(&self, id: NodeId) -> Option<&str> {
        match &self.node(id).kind {
            Kind::Element { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Whether the node is an element named `name`.
    pub(super) fn is(&self, id: NodeId, name: &str) -> bool {
        self.name(id) == Some(name)
    }

    /// An attribute of an element (one of [`READ_ATTRIBUTES`]).
    pub(super) fn attribute(&self, id: NodeId, attribute: &str) -> Option<&str> {
        match &self.node(id).kind {
            Kind::Element { attributes, .. } => attributes
                .iter()
                .find(|(name, _)| name == attribute)
                .map(|(_, value)| &**value),
            _ => None,
        }
    }

    /// The node's text, for a text node.
    pub(super) fn text(&self, id: NodeId) -> Option<&str> {
        match &self.node(id).kind {
            Kind::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The node's children, in order.
    pub(super) fn children(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let mut next = self.node(id).first_child;
        std::iter::from_fn(move || {
            let current = next;
            (current != NONE).then(|| {
                next = self.node(current).next_sibling;
                current
            })
        })
    }

    /// Every node opened and closed under `root` (itself included), in document order.
    pub(super) fn traverse(&self, root: NodeId) -> impl Iterator<Item = Edge> + '_ {
        let mut next = Some(Edge::Open(root));
        std::iter::from_fn(move || {
            let edge = next?;
            next = match edge {
                Edge::Open(id) => match self.node(id).first_child {
                    NONE => Some(Edge::Close(id)),
                    child => Some(Edge::Open(child)),
                },
                Edge::Close(id) if id == root => None,
                Edge::Close(id) => match self.node(id).next_sibling {
                    NONE => Some(Edge::Close(self.node(id).parent)),
                    sibling => Some(Edge::Open(sibling)),
                },
            };
            Some(edge)
        })
    }

    /// `root` and every node under it, in document order.
    pub(super) fn descendants(&self, root: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.traverse(root).filter_map(|edge| match edge {
            Edge::Open(id) => Some(id),
            Edge::Close(_) => None,
        })
    }

    /// The tree html5ever built, with what the reader does not look at left out (doctypes,
    /// processing instructions, comment text, attributes other than [`READ_ATTRIBUTES`]).
    pub(super) fn from_html5ever(dom: &Html) -> Tree<'static> {
        let mut tree = Tree::new();
        let mut parents = vec![Tree::ROOT];
        for edge in dom.tree.root().traverse() {
            match edge {
                ego_tree::iter::Edge::Open(node) => {
                    let parent = parents.last().copied().unwrap_or(Tree::ROOT);
                    if parent == NONE {
                        parents.push(NONE); // under a node not kept
                        continue;
                    }
                    let id = match node.value() {
                        DomNode::Document | DomNode::Fragment => Tree::ROOT,
                        DomNode::Element(element) => {
                            let mut attributes: Attributes<'static> = Vec::new();
                            for (name, value) in element.attrs() {
                                if READ_ATTRIBUTES.contains(&name)
                                    && !attributes.iter().any(|(n, _)| n == name)
                                {
                                    attributes
                                        .push((name.to_string().into(), value.to_string().into()));
                                }
                            }
                            tree.append(
                                parent,
                                Kind::Element {
                                    name: element.name().to_string().into(),
                                    attributes,
                                },
                            )
                        }
                        DomNode::Text(text) => {
                            tree.append(parent, Kind::Text(text.to_string().into()))
                        }
                        DomNode::Comment(_) => tree.append(parent, Kind::Comment),
                        DomNode::Doctype(_) | DomNode::ProcessingInstruction(_) => NONE,
                    };
                    parents.push(id);
                }
                ego_tree::iter::Edge::Close(_) => {
                    parents.pop();
                }
            }
        }
        tree
    }

    /// The tree as lines of text, one per node with its depth: what tests compare.
    #[cfg(test)]
    pub(super) fn outline(&self) -> Vec<String> {
        let mut depth = 0usize;
        let mut lines = Vec::new();
        for edge in self.traverse(Tree::ROOT) {
            match edge {
                Edge::Open(id) => {
                    let line = match self.kind(id) {
                        Kind::Element { name, attributes } => {
                            let mut attributes = attributes.clone();
                            attributes.sort();
                            format!("<{name} {attributes:?}>")
                        }
                        kind => format!("{kind:?}"),
                    };
                    lines.push(format!("{depth} {line}"));
                    depth += 1;
                }
                Edge::Close(_) => depth -= 1,
            }
        }
        lines
    }
}
