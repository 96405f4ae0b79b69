//! Lists a library crate's public items from its sources, for the public-API snapshot test
//! (`tests/snapshot.rs`).
//!
//! The public surface is what a user of the crate can name and what rustdoc shows: items declared
//! `pub` in modules reachable through `pub mod` from `lib.rs` (modules marked `#[doc(hidden)]` are
//! the workspace's internals and are left out), plus everything re-exported with `pub use` from
//! such modules. Each item is printed with its signature (function bodies, doc comments and
//! private fields removed), followed by the public methods of its inherent impls and the
//! headers of its trait impls, wherever in the crate they are written.
//!
//! This reads the sources with `syn` rather than rustdoc's JSON output, which needs a nightly
//! toolchain. The lister does not expand macros or resolve types: an impl is attached to a type
//! by the type's name (by name and module when two public types share a name).

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use syn::{Attribute, ImplItem, Item, UseTree, Visibility};

/// Why a crate's sources could not be listed.
#[derive(Debug)]
pub enum ListError {
    /// A source file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A source file does not parse.
    Parse {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: syn::Error,
    },
    /// A `mod x;` has neither `x.rs` nor `x/mod.rs`.
    MissingModule {
        /// The module's path in the crate.
        module: String,
    },
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListError::Read { path, .. } => write!(f, "cannot read {}", path.display()),
            ListError::Parse { path, .. } => write!(f, "cannot parse {}", path.display()),
            ListError::MissingModule { module } => write!(f, "no source file for module {module}"),
        }
    }
}

impl std::error::Error for ListError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ListError::Read { source, .. } => Some(source),
            ListError::Parse { source, .. } => Some(source),
            ListError::MissingModule { .. } => None,
        }
    }
}

/// One module of the crate, with its items.
struct Module {
    /// `crate_name::a::b`.
    path: Vec<String>,
    /// Reachable through `pub mod` from the root and not hidden.
    public: bool,
    items: Vec<Item>,
}

/// The public items of the crate whose `lib.rs` is `lib`, named `crate_name`, one block per item
/// sorted by path.
pub fn list_crate(crate_name: &str, lib: &Path) -> Result<String, ListError> {
    let mut modules = Vec::new();
    let dir = lib.parent().unwrap_or(Path::new(".")).to_path_buf();
    let items = parse(lib)?;
    load(
        &mut modules,
        vec![crate_name.to_string()],
        true,
        items,
        &dir,
    )?;
    let crate_items = CrateItems { modules };
    Ok(crate_items.render())
}

fn parse(path: &Path) -> Result<Vec<Item>, ListError> {
    let text = fs::read_to_string(path).map_err(|source| ListError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let file = syn::parse_file(&text).map_err(|source| ListError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(file.items)
}

/// Adds the module at `path` with `items` (children's files under `dir`) and its descendants.
fn load(
    modules: &mut Vec<Module>,
    path: Vec<String>,
    public: bool,
    items: Vec<Item>,
    dir: &Path,
) -> Result<(), ListError> {
    let items: Vec<Item> = items.into_iter().filter(|i| !test_only(attrs(i))).collect();
    for item in &items {
        let Item::Mod(module) = item else { continue };
        let name = module.ident.to_string();
        let child_public = public && is_pub(&module.vis) && !hidden(&module.attrs);
        let mut child_path = path.clone();
        child_path.push(name.clone());
        let child_dir = dir.join(&name);
        let child_items = match &module.content {
            Some((_, items)) => items.clone(),
            None => {
                let file = [dir.join(format!("{name}.rs")), child_dir.join("mod.rs")]
                    .into_iter()
                    .find(|f| f.is_file())
                    .ok_or_else(|| ListError::MissingModule {
                        module: child_path.join("::"),
                    })?;
                parse(&file)?
            }
        };
        load(modules, child_path, child_public, child_items, &child_dir)?;
    }
    modules.push(Module {
        path,
        public,
        items,
    });
    Ok(())
}

struct CrateItems {
    modules: Vec<Module>,
}

/// An item found by name: its module and the item.
type Found<'a> = (&'a Module, &'a Item);

impl CrateItems {
    fn module(&self, path: &[String]) -> Option<&Module> {
        self.modules.iter().find(|m| m.path == path)
    }

    fn render(&self) -> String {
        // Export path -> (defining module, item).
        let mut surface: BTreeMap<String, Found<'_>> = BTreeMap::new();
        let mut external: BTreeMap<String, String> = BTreeMap::new();
        for module in self.modules.iter().filter(|m| m.public) {
            for item in &module.items {
                if !is_pub(vis(item).unwrap_or(&Visibility::Inherited)) || hidden(attrs(item)) {
                    continue;
                }
                match item {
                    Item::Use(use_item) => {
                        let mut leaves = Vec::new();
                        flatten(&use_item.tree, Vec::new(), &mut leaves);
                        for (segments, rename) in leaves {
                            self.reexport(module, &segments, rename, &mut surface, &mut external);
                        }
                    }
                    Item::Mod(_) | Item::Impl(_) | Item::Macro(_) => {}
                    _ => {
                        if let Some(name) = name(item) {
                            let key = format!("{}::{name}", module.path.join("::"));
                            surface.insert(key, (module, item));
                        }
                    }
                }
            }
        }
        let mut blocks: BTreeMap<String, String> = external;
        for (key, (module, item)) in &surface {
            let mut text = render_item(item);
            if let Some(type_name) = type_name_of(item) {
                let shared = surface
                    .values()
                    .filter(|(_, i)| type_name_of(i) == Some(type_name.clone()))
                    .count()
                    > 1;
                for (impl_module, impl_item) in self.impls_of(&type_name) {
                    if shared && impl_module.path != module.path {
                        continue;
                    }
                    text.push_str(&render_impl(impl_item));
                }
            }
            blocks.insert(key.clone(), text);
        }
        let mut out = String::new();
        for (key, text) in blocks {
            out.push_str(&format!("// {key}\n{}\n", text.trim_end()));
        }
        out
    }

    /// Every impl block (of any module) whose self type is named `type_name`.
    fn impls_of(&self, type_name: &str) -> Vec<(&Module, &syn::ItemImpl)> {
        let mut found = Vec::new();
        for module in &self.modules {
            for item in &module.items {
                if let Item::Impl(imp) = item {
                    if self_type_name(imp).as_deref() == Some(type_name) {
                        found.push((module, imp));
                    }
                }
            }
        }
        found
    }

    /// Records the re-export `segments` (as written in `module`) under its exported name.
    fn reexport<'a>(
        &'a self,
        module: &'a Module,
        segments: &[String],
        rename: Option<String>,
        surface: &mut BTreeMap<String, Found<'a>>,
        external: &mut BTreeMap<String, String>,
    ) {
        let prefix = module.path.join("::");
        let Some((last, head)) = segments.split_last() else {
            return;
        };
        let Some(target) = self.resolve_module(&module.path, head) else {
            let written = segments.join("::");
            external.insert(
                format!("{prefix}::{}", rename.as_deref().unwrap_or(last)),
                format!("pub use {written};\n"),
            );
            return;
        };
        if last == "*" {
            for item in &target.items {
                if is_pub(vis(item).unwrap_or(&Visibility::Inherited)) && !hidden(attrs(item)) {
                    if let Some(name) = name(item) {
                        surface.insert(format!("{prefix}::{name}"), (target, item));
                    }
                }
            }
            return;
        }
        match self.find(target, last, 0) {
            Some(found) => {
                let exported = rename.unwrap_or_else(|| last.clone());
                surface.insert(format!("{prefix}::{exported}"), found);
            }
            None => {
                external.insert(
                    format!("{prefix}::{}", rename.as_deref().unwrap_or(last)),
                    format!("pub use {};\n", segments.join("::")),
                );
            }
        }
    }

    /// The module named by `segments` relative to the module at `from`, or `None` for a path
    /// into another crate.
    fn resolve_module(&self, from: &[String], segments: &[String]) -> Option<&Module> {
        let mut path: Vec<String> = from.to_vec();
        for (i, segment) in segments.iter().enumerate() {
            match segment.as_str() {
                "crate" if i == 0 => path.truncate(1),
                "self" => {}
                "super" => {
                    path.pop();
                }
                _ => path.push(segment.clone()),
            }
        }
        self.module(&path)
    }

    /// The item called `name` in `module`, following that module's own `pub use`s.
    fn find<'a>(&'a self, module: &'a Module, name: &str, depth: usize) -> Option<Found<'a>> {
        if depth > 8 {
            return None;
        }
        for item in &module.items {
            match item {
                Item::Use(use_item) => {
                    let mut leaves = Vec::new();
                    flatten(&use_item.tree, Vec::new(), &mut leaves);
                    for (segments, rename) in leaves {
                        let Some((last, head)) = segments.split_last() else {
                            continue;
                        };
                        if rename.as_deref().unwrap_or(last) != name {
                            continue;
                        }
                        if let Some(target) = self.resolve_module(&module.path, head) {
                            if let Some(found) = self.find(target, last, depth + 1) {
                                return Some(found);
                            }
                        }
                    }
                }
                Item::Mod(_) | Item::Impl(_) => {}
                _ if crate::name(item).as_deref() == Some(name) => return Some((module, item)),
                _ => {}
            }
        }
        None
    }
}

/// The leaves of a use tree: the path segments and the `as` name.
fn flatten(tree: &UseTree, prefix: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    let with = |segment: String| {
        let mut path = prefix.clone();
        path.push(segment);
        path
    };
    match tree {
        UseTree::Path(p) => flatten(&p.tree, with(p.ident.to_string()), out),
        UseTree::Name(n) => out.push((with(n.ident.to_string()), None)),
        UseTree::Rename(r) => out.push((with(r.ident.to_string()), Some(r.rename.to_string()))),
        UseTree::Glob(_) => out.push((with("*".to_string()), None)),
        UseTree::Group(g) => {
            for tree in &g.items {
                flatten(tree, prefix.clone(), out);
            }
        }
    }
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn hidden(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("doc")
            && a.parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "hidden")
    })
}

/// `#[cfg(test)]`: compiled only in the crate's own tests.
fn test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test")
    })
}

fn attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        _ => &[],
    }
}

fn vis(item: &Item) -> Option<&Visibility> {
    Some(match item {
        Item::Const(i) => &i.vis,
        Item::Enum(i) => &i.vis,
        Item::Fn(i) => &i.vis,
        Item::Mod(i) => &i.vis,
        Item::Static(i) => &i.vis,
        Item::Struct(i) => &i.vis,
        Item::Trait(i) => &i.vis,
        Item::Type(i) => &i.vis,
        Item::Union(i) => &i.vis,
        Item::Use(i) => &i.vis,
        _ => return None,
    })
}

fn name(item: &Item) -> Option<String> {
    Some(match item {
        Item::Const(i) => i.ident.to_string(),
        Item::Enum(i) => i.ident.to_string(),
        Item::Fn(i) => i.sig.ident.to_string(),
        Item::Static(i) => i.ident.to_string(),
        Item::Struct(i) => i.ident.to_string(),
        Item::Trait(i) => i.ident.to_string(),
        Item::Type(i) => i.ident.to_string(),
        Item::Union(i) => i.ident.to_string(),
        _ => return None,
    })
}

/// The name impls refer to, for the items that can have impls.
fn type_name_of(item: &Item) -> Option<String> {
    match item {
        Item::Enum(_) | Item::Struct(_) | Item::Union(_) | Item::Trait(_) | Item::Type(_) => {
            name(item)
        }
        _ => None,
    }
}

fn self_type_name(imp: &syn::ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Keeps the attributes that are part of an item's contract.
fn contract_attrs(attrs: &mut Vec<Attribute>) {
    attrs.retain(|a| {
        ["derive", "non_exhaustive", "repr", "cfg"]
            .iter()
            .any(|name| a.path().is_ident(name))
    });
}

fn empty_block() -> syn::Block {
    syn::Block {
        brace_token: Default::default(),
        stmts: Vec::new(),
    }
}

fn unparse(item: Item) -> String {
    prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![item],
    })
}

/// The item's signature: no bodies, no docs, no private fields.
fn render_item(item: &Item) -> String {
    let mut item = item.clone();
    let mut private_fields = false;
    match &mut item {
        Item::Fn(f) => {
            contract_attrs(&mut f.attrs);
            *f.block = empty_block();
        }
        Item::Struct(s) => {
            contract_attrs(&mut s.attrs);
            private_fields = strip_fields(&mut s.fields);
        }
        Item::Enum(e) => {
            contract_attrs(&mut e.attrs);
            for variant in &mut e.variants {
                contract_attrs(&mut variant.attrs);
                for field in variant.fields.iter_mut() {
                    contract_attrs(&mut field.attrs);
                }
                variant.discriminant = None;
            }
        }
        Item::Trait(t) => {
            contract_attrs(&mut t.attrs);
            for member in &mut t.items {
                match member {
                    syn::TraitItem::Fn(f) => {
                        f.attrs.clear();
                        f.default = None;
                        f.semi_token = Some(Default::default());
                    }
                    syn::TraitItem::Const(c) => {
                        c.attrs.clear();
                        c.default = None;
                    }
                    syn::TraitItem::Type(t) => t.attrs.clear(),
                    _ => {}
                }
            }
        }
        Item::Const(c) => contract_attrs(&mut c.attrs),
        Item::Static(s) => contract_attrs(&mut s.attrs),
        Item::Type(t) => contract_attrs(&mut t.attrs),
        Item::Union(u) => contract_attrs(&mut u.attrs),
        _ => {}
    }
    let mut text = unparse(item);
    if private_fields {
        text.push_str("// (and private fields)\n");
    }
    text
}

/// Removes the private fields and the fields' docs; true when some field was private.
fn strip_fields(fields: &mut syn::Fields) -> bool {
    let mut private = false;
    let keep = |field: &syn::Field, private: &mut bool| {
        let public = is_pub(&field.vis);
        *private |= !public;
        public
    };
    match fields {
        syn::Fields::Named(named) => {
            let kept: Vec<syn::Field> = named
                .named
                .iter()
                .filter(|f| keep(f, &mut private))
                .cloned()
                .collect();
            named.named = kept.into_iter().collect();
            for field in named.named.iter_mut() {
                contract_attrs(&mut field.attrs);
            }
        }
        syn::Fields::Unnamed(unnamed) => {
            for field in unnamed.unnamed.iter_mut() {
                contract_attrs(&mut field.attrs);
                if !is_pub(&field.vis) {
                    private = true;
                    field.ty = syn::parse_quote!(_);
                }
            }
        }
        syn::Fields::Unit => {}
    }
    private
}

/// An inherent impl's public methods and constants, or a trait impl's header.
fn render_impl(imp: &syn::ItemImpl) -> String {
    let mut imp = imp.clone();
    imp.attrs.clear();
    if imp.trait_.is_some() {
        imp.items.clear();
    } else {
        imp.items.retain(|member| match member {
            ImplItem::Fn(f) => is_pub(&f.vis) && !hidden(&f.attrs),
            ImplItem::Const(c) => is_pub(&c.vis) && !hidden(&c.attrs),
            _ => false,
        });
        if imp.items.is_empty() {
            return String::new();
        }
        for member in &mut imp.items {
            match member {
                ImplItem::Fn(f) => {
                    contract_attrs(&mut f.attrs);
                    f.block = empty_block();
                }
                ImplItem::Const(c) => contract_attrs(&mut c.attrs),
                _ => {}
            }
        }
    }
    unparse(Item::Impl(imp))
}
