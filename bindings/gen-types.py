#!/usr/bin/python3
# gen-types.py: type declarations of a GIR namespace, written at build time
# so that they cannot fall behind the C API.
#
#   gen-types.py python GIR OVERRIDE_STUB OUTPUT   a .pyi stub for PyGObject
#   gen-types.py typescript GIR OUTPUT             a .d.ts for gi://Namespace
#
# The Python stub merges OVERRIDE_STUB, the hand-written declarations of
# what the PyGObject override adds or changes: its classes' members replace
# or extend the generated ones, and a class named like a GIR enumeration
# replaces it. It declares every *_async method that has a *_finish twice:
# with a callback, and without one returning an awaitable of the result of
# the *_finish (asyncio). The TypeScript declarations follow ts-for-gir's
# conventions (see TsWriter); their Promise forms are on the namespace the
# GJS helper module gives, imports.capsolver, alone.
#
# Python standard library only.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import ast
import keyword
import re
import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
GLIB = '{http://www.gtk.org/introspection/glib/1.0}'
C = '{http://www.gtk.org/introspection/c/1.0}'

INTEGERS = {'gint', 'guint', 'gint8', 'guint8', 'gint16', 'guint16', 'gint32', 'guint32',
            'gint64', 'guint64', 'glong', 'gulong', 'gsize', 'gssize', 'gshort', 'gushort',
            'gchar', 'guchar', 'gunichar', 'GType', 'GLib.Quark', 'GLib.Pid'}
FLOATS = {'gdouble', 'gfloat'}
STRINGS = {'utf8', 'filename'}

# --- Reading the GIR ------------------------------------------------------------

class Param:
    def __init__(self, element):
        self.name = element.get('name')
        self.direction = element.get('direction', 'in')
        self.nullable = element.get('nullable') == '1' or element.get('allow-none') == '1'
        self.optional = element.get('optional') == '1'
        self.closure = element.get('closure')
        self.destroy = element.get('destroy')
        self.type = type_of(element)
        self.doc = doc_of(element)


def doc_of(element):
    """The documentation text of a GIR element, or ''."""
    doc = element.find(CORE + 'doc')
    return doc.text.strip() if doc is not None and doc.text else ''


def type_of(element):
    """('array', item) or ('type', name) of a parameter or return value."""
    array = element.find(CORE + 'array')
    if array is not None:
        item = array.find(CORE + 'type')
        return ('array', item.get('name') if item is not None else 'gpointer',
                array.get('length'))
    plain = element.find(CORE + 'type')
    if plain is not None:
        return ('type', plain.get('name'), None)
    return ('type', 'none', None)


class Callable:
    def __init__(self, element, kind):
        self.name = element.get('name')
        self.kind = kind
        self.throws = element.get('throws') == '1'
        self.doc = doc_of(element)
        self.since = element.get('version')
        self.deprecated = element.get('deprecated') == '1'
        self.introspectable = element.get('introspectable') != '0'
        self.get_property = element.get(GLIB + 'get-property')
        self.set_property = element.get(GLIB + 'set-property')
        ret = element.find(CORE + 'return-value')
        self.ret = Param(ret) if ret is not None else None
        params = element.find(CORE + 'parameters')
        self.params = []
        if params is not None:
            self.params = [Param(p) for p in params.findall(CORE + 'parameter')]

    def visible_params(self):
        """The parameters a caller passes: no user_data closure, destroy
        notify or array length."""
        hidden = set()
        for p in self.params + ([self.ret] if self.ret else []):
            if p.destroy is not None:
                hidden.add(int(p.destroy))
            if p.type[0] == 'array' and p.type[2] is not None:
                hidden.add(int(p.type[2]))
        closures = {int(p.closure) for p in self.params if p.closure is not None}
        return [p for i, p in enumerate(self.params)
                if i not in hidden and i not in closures and p.direction != 'out'], closures

    def out_params(self):
        visible_out = []
        lengths = {int(p.type[2]) for p in self.params + ([self.ret] if self.ret else [])
                   if p.type[0] == 'array' and p.type[2] is not None}
        for i, p in enumerate(self.params):
            if p.direction in ('out', 'inout') and i not in lengths:
                visible_out.append(p)
        return visible_out


class Property:
    def __init__(self, element):
        self.name = element.get('name')
        self.type = type_of(element)
        self.writable = element.get('writable') == '1'
        self.construct_only = element.get('construct-only') == '1'
        self.getter = element.get('getter')
        self.setter = element.get('setter')
        self.doc = doc_of(element)
        self.since = element.get('version')


class Member:
    def __init__(self, element):
        self.name = element.get('name')
        self.value = element.get('value')
        self.c_identifier = element.get(C + 'identifier')
        self.doc = doc_of(element)


def introspectable(callables):
    return [c for c in callables if c.introspectable]


class Klass:
    def __init__(self, element, kind):
        self.name = element.get('name')
        self.kind = kind
        self.parent = element.get('parent')
        self.doc = doc_of(element)
        self.since = element.get('version')
        self.c_type = element.get(C + 'type')
        self.error_domain = element.get(GLIB + 'error-domain')
        self.abstract = element.get('abstract') == '1'
        self.constructors = introspectable(
            [Callable(e, 'constructor') for e in element.findall(CORE + 'constructor')])
        self.methods = introspectable(
            [Callable(e, 'method') for e in element.findall(CORE + 'method')])
        self.functions = introspectable(
            [Callable(e, 'function') for e in element.findall(CORE + 'function')])
        self.props = [Property(p) for p in element.findall(CORE + 'property')]
        self.properties = [(p.name, p.type, p.writable) for p in self.props]
        self.member_list = [Member(m) for m in element.findall(CORE + 'member')]
        self.members = [(m.name, m.value) for m in self.member_list]

    def async_pairs(self):
        names = {m.name for m in self.methods}
        return {m.name for m in self.methods
                if m.name.endswith('_async') and m.name[:-6] + '_finish' in names}

    def method(self, name):
        return next(m for m in self.methods if m.name == name)


class Namespace:
    def __init__(self, path):
        root = ET.parse(path).getroot()
        ns = root.find(CORE + 'namespace')
        self.name = ns.get('name')
        self.version = ns.get('version')
        self.includes = [(i.get('name'), i.get('version')) for i in root.findall(CORE + 'include')]
        self.classes = [Klass(e, 'class') for e in ns.findall(CORE + 'class')]
        # Boxed records (CsTaskType, CsTaskField); class structures are not
        # types of their own in the bindings.
        self.records = [Klass(e, 'record') for e in ns.findall(CORE + 'record')
                        if e.get(GLIB + 'is-gtype-struct-for') is None
                        and e.get(GLIB + 'type-name') is not None]
        self.enums = [Klass(e, 'enum') for e in ns.findall(CORE + 'enumeration')]
        self.enums += [Klass(e, 'flags') for e in ns.findall(CORE + 'bitfield')]
        self.functions = introspectable(
            [Callable(e, 'function') for e in ns.findall(CORE + 'function')])
        self.constants = [(c.get('name'), type_of(c)) for c in ns.findall(CORE + 'constant')]
        self.constant_docs = {c.get('name'): doc_of(c) for c in ns.findall(CORE + 'constant')}
        self.constant_values = {c.get('name'): c.get('value')
                                for c in ns.findall(CORE + 'constant')}
        self.c_prefix = ns.get(C + 'identifier-prefixes')


def order_classes(classes):
    """Parents before children."""
    done, out = set(), []
    pending = list(classes)
    while pending:
        for k in list(pending):
            if k.parent is None or '.' in k.parent or k.parent in done:
                out.append(k)
                done.add(k.name)
                pending.remove(k)
    return out


def static_names(klass, by_name):
    """The static names (constructors, functions) of klass's ancestors in
    this namespace."""
    names = set()
    parent = by_name.get(klass.parent)
    while parent is not None:
        names |= {c.name for c in parent.constructors + parent.functions}
        parent = by_name.get(parent.parent)
    return names


# --- Python ---------------------------------------------------------------------

def py_name(name):
    return name + '_' if keyword.iskeyword(name) else name


def basic_type(name, language):
    """The Python (0) or TypeScript (1) spelling of a type that is not one
    of the namespace's, or None."""
    if name in INTEGERS:
        return ('int', 'number')[language]
    if name in FLOATS:
        return ('float', 'number')[language]
    if name in STRINGS:
        return ('str', 'string')[language]
    return BASIC.get(name, (None, None))[language]


BASIC = {
    'gboolean': ('bool', 'boolean'),
    'gpointer': ('typing.Any', 'any'),
    'GLib.Bytes': ('GLib.Bytes', 'GLib.Bytes | Uint8Array'),
    'GLib.HashTable': ('dict[typing.Any, typing.Any]', '{[key: string]: any}'),
    'Gio.AsyncReadyCallback': ('typing.Callable[..., None]',
                               '(source: GObject.Object | null, result: Gio.AsyncResult) => void'),
}


class PyDocs:
    """Turns the GIR's doc text (gi-docgen markup) into docstrings."""

    def __init__(self, ns):
        self.ns = ns.name
        self.c_types = {k.c_type: k.name for k in ns.classes + ns.records + ns.enums if k.c_type}
        self.symbols = {m.c_identifier: '%s.%s' % (k.name, m.name.upper())
                        for k in ns.enums for m in k.member_list}

    def name(self, target):
        target = target.replace('-', '_')
        if ':' in target:
            klass, prop = target.split(':', 1)
            target = '%s.props.%s' % (klass, prop.lstrip(':'))
        if target.split('.')[0] in FOREIGN:
            return '``%s``' % target
        return '``%s.%s``' % (self.ns, target)

    def text(self, text):
        text = re.sub(r'\[[a-z]+@([A-Za-z0-9_.:-]+)\]', lambda m: self.name(m.group(1)), text)

        def c_type(m):
            name, rest = m.group(1), m.group(2) or ''
            if name in self.c_types:
                return self.name(self.c_types[name] + rest)
            return '``%s%s``' % (name, rest)
        text = re.sub(r'#([A-Za-z_][A-Za-z0-9_]*)((?:::?)[a-z][a-z0-9-]*)?', c_type, text)

        def constant(m):
            name = m.group(1)
            if name in ('NULL', 'TRUE', 'FALSE'):
                return '``%s``' % {'NULL': 'None', 'TRUE': 'True', 'FALSE': 'False'}[name]
            if name in self.symbols:
                return self.name(self.symbols[name])
            return '``%s``' % name
        text = re.sub(r'%([A-Z_][A-Z0-9_]*)', constant, text)
        text = re.sub(r'(?<![\w`{])@([a-z_][a-z0-9_]*)', r'``\1``', text)
        text = re.sub(r'(?<!`)`([^`\n]+)`(?!`)', r'``\1``', text)
        return text.replace('\\', '\\\\').replace('"""', '\\"\\"\\"')

    def docstring(self, indent, doc='', params=(), returns='', since=None):
        lines = self.text(doc).split('\n') if doc else []
        fields = ['%s: %s' % (p, self.text(t).replace('\n', ' ')) for p, t in params if t]
        if fields:
            lines += [''] + [':param ' + f for f in fields]
        if returns:
            lines += ['' if not fields else None,
                      ':returns: ' + self.text(returns).replace('\n', ' ')]
        if since:
            lines += ['', 'Since: %s' % since]
        lines = [line for line in lines if line is not None]
        if not lines:
            return []
        if len(lines) == 1:
            return ['%s"""%s"""' % (indent, lines[0])]
        return ['%s"""%s' % (indent, lines[0])] + \
            [(indent + line).rstrip() for line in lines[1:]] + [indent + '"""']


class PyWriter:
    def __init__(self, ns, override_path, schema):
        self.ns = ns
        self.docs = PyDocs(ns)
        self.classes, self.others = override_parts(override_path)
        self.renames = {e.name: '_' + e.name for e in ns.enums if e.name in self.classes}
        self.by_name = {k.name: k for k in ns.classes}
        self.schema = schema

    def type(self, t, nullable=False):
        kind, name, _ = t
        if kind == 'array':
            if name in ('guint8', 'gint8'):
                text = 'bytes'
            else:
                text = 'list[%s]' % self.type(('type', name, None))
        elif name == 'none':
            return 'None'
        else:
            text = basic_type(name, 0) or self.renames.get(name, name)
        return 'typing.Optional[%s]' % text if nullable else text

    def params(self, c, drop_from=None, with_callback=False):
        """The parameters as Python declares them: the trailing nullable
        ones may be left out (PyGObject passes None)."""
        visible, _ = c.visible_params()
        if drop_from is not None:
            visible = visible[:[p.name for p in visible].index(drop_from)]
        optional = len(visible)
        while optional > 0 and visible[optional - 1].nullable and not with_callback:
            optional -= 1
        out = []
        for i, p in enumerate(visible):
            nullable = p.nullable and not (with_callback and
                                           p.type[1] == 'Gio.AsyncReadyCallback')
            default = ' = None' if i >= optional else ''
            out.append('%s: %s%s' % (py_name(p.name), self.type(p.type, nullable), default))
        return out

    def returns(self, c):
        values = []
        if c.ret is not None and c.ret.type[1] != 'none':
            values.append(self.type(c.ret.type, c.ret.nullable))
        values += [self.type(p.type, p.nullable) for p in c.out_params()]
        if not values:
            return 'None'
        if len(values) == 1:
            return values[0]
        return 'tuple[%s]' % ', '.join(values)

    def body(self, c, indent, drop_from=None):
        visible, _ = c.visible_params()
        if drop_from is not None:
            visible = visible[:[p.name for p in visible].index(drop_from)]
        doc = self.docs.docstring(indent + '    ', c.doc,
                                  [(py_name(p.name), p.doc) for p in visible],
                                  c.ret.doc if c.ret is not None else '', c.since)
        return doc or [indent + '    ...']

    def define(self, c, indent, self_arg, returns=None, comment=''):
        """A def, with its decorator and docstring; returns replaces the
        GIR's return type (a constructor returns its own class)."""
        lines = []
        if self_arg == 'cls':
            lines.append(indent + '@classmethod')
        elif self_arg is None and indent:
            lines.append(indent + '@staticmethod')
        first = [self_arg] if self_arg else []
        lines.append('%sdef %s(%s) -> %s:%s' % (indent, py_name(c.name),
                                               ', '.join(first + self.params(c)),
                                               returns or self.returns(c), comment))
        return lines + self.body(c, indent)

    def async_defs(self, klass, c, indent):
        finish = klass.method(c.name[:-6] + '_finish')
        without = ', '.join(['self'] + self.params(c, drop_from='callback'))
        with_callback = ', '.join(['self'] + self.params(c, with_callback=True) +
                                  ['user_data: typing.Any = None'])
        return ([indent + '@typing.overload',
                 '%sdef %s(%s) -> typing.Awaitable[%s]:' % (indent, c.name, without,
                                                           self.returns(finish))] +
                self.body(c, indent, drop_from='callback') +
                [indent + '@typing.overload',
                 '%sdef %s(%s) -> None:' % (indent, c.name, with_callback)] +
                self.body(c, indent))

    def property_type(self, klass, prop, write):
        methods = {m.name: m for m in klass.methods}
        loose = prop.type[1] in STRINGS or prop.type[1] in self.by_name or '.' in prop.type[1]
        if write:
            setter = methods.get(prop.setter)
            visible = setter.visible_params()[0] if setter is not None else None
            nullable = visible[0].nullable if visible else loose
        else:
            getter = methods.get(prop.getter)
            nullable = getter.ret.nullable if getter is not None and getter.ret else loose
        text = self.type(prop.type, nullable)
        if write and prop.type[0] == 'array':
            text = text.replace('list[', 'typing.Sequence[')
        return text

    def task_init(self, klass):
        """The constructor of a typed task: each writable property (its
        own and the task's) and each field of its type, by keyword."""
        params, seen = [], set()
        chain, k = [], klass
        while k is not None:
            chain.append(k)
            k = self.by_name.get(k.parent)
        images = {f[1] for f in self.schema[klass.name] if f[3]}
        for k in chain:
            for p in k.props:
                name = p.name.replace('-', '_')
                if (p.writable or p.construct_only) and name not in seen and \
                        name != 'type_name':
                    seen.add(name)
                    text = self.property_type(k, p, True)
                    if p.name in images:
                        text = 'typing.Union[%s, bytes, GLib.Bytes]' % text
                    params.append('%s: %s = ...' % (name, text))
        for member, _, kind, image in self.schema[klass.name]:
            if member.isidentifier() and not keyword.iskeyword(member) and member not in seen:
                seen.add(member)
                text = FIELD_TYPES[kind]
                if image:
                    text = 'typing.Union[str, bytes, GLib.Bytes]'
                params.append('%s: %s = ...' % (member, text))
        doc = ['        """Keywords are the properties of the class (``website_url``) and',
               '        the API\'s fields of the type (``websiteURL``); any other keyword',
               '        raises ``TypeError``."""']
        return ['    def __init__(', '        self,', '        *,'] + \
            ['        %s,' % p for p in params] + ['    ) -> None:'] + doc

    def klass(self, klass, extra, record=False):
        header = self.classes.get(klass.name, (None, {}, []))
        bases = [] if record else [klass.parent or 'GObject.Object']
        bases += header[2]
        lines = ['class %s(%s):' % (klass.name, ', '.join(bases)) if bases
                 else 'class %s:' % klass.name]
        body = self.docs.docstring('    ', klass.doc, since=klass.since)
        base = klass.parent or 'GObject.Object'
        if klass.props:
            body.append('    class Props(%s.Props):' % base)
            for p in klass.props:
                body.append('        %s: %s' % (p.name.replace('-', '_'),
                                                self.property_type(klass, p, False)))
                body += self.docs.docstring('        ', p.doc)
            body.append('    props: Props')
        members = {}
        if klass.name in self.schema:
            members['__init__'] = self.task_init(klass)
        inherited = static_names(klass, self.by_name)
        for c in klass.constructors:
            # A subclass's constructor takes other arguments than its parent's.
            comment = '  # type: ignore[override]' if c.name in inherited else ''
            members[c.name] = self.define(c, '    ', 'cls', klass.name, comment)
        pairs = klass.async_pairs()
        for c in klass.methods:
            members[c.name] = self.async_defs(klass, c, '    ') if c.name in pairs \
                else self.define(c, '    ', 'self')
        for c in klass.functions:
            members[c.name] = self.define(c, '    ', None)
        members.update(extra)
        for lines_of in members.values():
            body.extend(lines_of)
        return lines + (body or ['    ...'])

    def enum(self, klass, name=None):
        base = 'GObject.GFlags' if klass.kind == 'flags' else 'GObject.GEnum'
        name = name or klass.name
        lines = ['class %s(%s):' % (name, base)]
        lines += self.docs.docstring('    ', klass.doc, since=klass.since)
        for m in klass.member_list:
            lines.append('    %s: %s' % (m.name.upper(), name))
            lines += self.docs.docstring('    ', m.doc)
        for c in klass.functions:
            lines.extend(self.define(c, '    ', None))
        return lines

    def write(self):
        ns = self.ns
        out = ['# The %s namespace for Python type checkers: generated from %s-%s.gir'
               % (ns.name, ns.name, ns.version),
               '# and its schema of task types by bindings/gen-types.py, with the',
               '# PyGObject override\'s additions.',
               '# Do not edit: edit the C API or bindings/python/CapSolver-override.pyi.',
               '# Names that start with an underscore exist for the type checker only.',
               '', 'import typing', '']
        out += ['from gi.repository import %s' % name for name, _ in ns.includes]
        out += ['from gi.repository import Gio, GLib, GObject', '']
        out += self.others
        for name, t in ns.constants:
            out.append('%s: %s' % (name, self.type(t)))
            out += self.docs.docstring('', ns.constant_docs.get(name, ''))
        out.append('')
        enum_names = {e.name for e in ns.enums}
        for e in ns.enums:
            if e.name in self.classes:
                # The override replaces the enumeration with a class that
                # carries its members and functions (Error and Error.Code).
                hidden = '_' + e.name
                out.extend(self.enum(e, hidden))
                out.append('')
                header, extra, _ = self.classes[e.name]
                merged = {}
                for c in e.functions:
                    merged[c.name] = self.define(c, '    ', None)
                for m in e.member_list:
                    merged[m.name.upper()] = ['    %s: %s' % (m.name.upper(), hidden)] + \
                        self.docs.docstring('    ', m.doc)
                merged.update(extra)
                out.append(header)
                out += self.docs.docstring('    ', e.doc, since=e.since)
                for lines_of in merged.values():
                    out.extend(lines_of)
            else:
                out.extend(self.enum(e))
            out.append('')
        for r in ns.records:
            out.extend(self.klass(r, {}, record=True))
            out.append('')
        for k in order_classes(ns.classes):
            extra = self.classes[k.name][1] if k.name in self.classes else {}
            out.extend(self.klass(k, extra))
            out.append('')
        known = enum_names | {k.name for k in ns.classes}
        for name, (header, members, _) in self.classes.items():
            if name not in known:
                out.append(header)
                for lines_of in members.values():
                    out.extend(lines_of)
                if not members:
                    out.append('    ...')
                out.append('')
        for f in ns.functions:
            out.extend(self.define(f, '', None))
        return '\n'.join(out) + '\n'


# What a field's keyword takes, by CsTaskFieldKind.
FIELD_TYPES = {
    'STRING': 'str',
    'BOOLEAN': 'bool',
    'INT': 'int',
    'DOUBLE': 'float',
    'STRV': 'typing.Sequence[str]',
    'OBJECT': 'typing.Mapping[str, typing.Any]',
    'COOKIES': 'typing.Union[str, typing.Sequence[typing.Any]]',
}


def task_schema():
    """{typed class name: [(member, property, kind, image)]} from the
    library's public schema, CapSolver.TaskType, read through the typelib
    (GI_TYPELIB_PATH and LD_LIBRARY_PATH name the built one)."""
    import gi
    gi.require_version('CapSolver', '1')
    from gi.repository import CapSolver
    schema = {}
    for task_type in CapSolver.TaskType.get_all():
        gtype = task_type.get_task_gtype()
        if gtype.name == 'CsTask':
            continue
        name = gtype.name[len('Cs'):]
        schema[name] = [(f.get_member(), f.get_property_name(), f.get_kind().value_nick.upper(),
                         f.is_image()) for f in task_type.get_fields()]
    return schema


def override_parts(path):
    """{class name: (header line, {member: lines}, [extra bases])} and the
    other top-level statements of the hand-written override stub."""
    text = open(path, encoding='utf-8').read()
    tree = ast.parse(text)
    classes, others = {}, []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bases = [ast.get_source_segment(text, b) for b in node.bases]
            header = 'class %s(%s):' % (node.name, ', '.join(bases)) if bases \
                else 'class %s:' % node.name
            members = {}
            for item in node.body:
                code = ast.get_source_segment(text, item, padded=True)
                if isinstance(item, ast.FunctionDef):
                    name = item.name
                    code = ''.join('@%s\n' % ast.get_source_segment(text, d)
                                   for d in item.decorator_list) + code.lstrip()
                elif isinstance(item, ast.AnnAssign):
                    name = item.target.id
                elif isinstance(item, ast.Assign):
                    name = item.targets[0].id
                else:
                    continue
                members[name] = ['    ' + line.strip() for line in code.strip().split('\n')]
            classes[node.name] = (header, members, bases)
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            others.append(ast.get_source_segment(text, node))
    return classes, others


def python_stub(ns, override_path):
    return PyWriter(ns, override_path, task_schema()).write()


# --- TypeScript -----------------------------------------------------------------
#
# The declarations follow ts-for-gir's conventions, so that they sit beside
# the declarations it writes for GLib, GObject and Gio (the @girs packages):
# the same namespace layout, property accessors in snake_case and camelCase,
# SignalSignatures, ConstructorProps, an error domain as a class extending
# GLib.Error whose static members are its codes. Unlike ts-for-gir, an
# *_async method has no Promise form on the introspected class, since GJS
# has none until something promisifies it: the Promise forms are on the
# namespace imports.capsolver gives (bindings/gjs/capsolver.js).

FOREIGN = ('GLib', 'GObject', 'Gio', 'Json', 'Soup')


class TsDocs:
    """Turns the GIR's doc text (gi-docgen markup) into JSDoc."""

    def __init__(self, ns):
        self.ns = ns.name
        self.c_types = {}
        self.symbols = {}
        for k in ns.classes + ns.records + ns.enums:
            if k.c_type:
                self.c_types[k.c_type] = k.name
            for m in k.member_list:
                target = k.name + '.' + m.name.upper()
                self.symbols[m.c_identifier] = target

    def link(self, target):
        target = target.replace(':', '.').replace('-', '_')
        if target.split('.')[0] in FOREIGN:
            return '{@link %s}' % target
        return '{@link %s.%s}' % (self.ns, target)

    def text(self, text):
        text = re.sub(r'\[[a-z]+@([A-Za-z0-9_.:-]+)\]', lambda m: self.link(m.group(1)), text)

        def c_type(m):
            name, rest = m.group(1), m.group(2) or ''
            if name in self.c_types:
                return self.link(self.c_types[name] + rest.lstrip(':').join(['.', '']
                                                                          if rest else ['', '']))
            return '`%s%s`' % (name, rest)
        text = re.sub(r'#([A-Za-z_][A-Za-z0-9_]*)((?:::?)[a-z][a-z0-9-]*)?', c_type, text)

        def constant(m):
            name = m.group(1)
            if name in ('NULL', 'TRUE', 'FALSE'):
                return '`%s`' % name.lower()
            if name in self.symbols:
                return self.link(self.symbols[name])
            return '`%s`' % name
        text = re.sub(r'%([A-Z_][A-Z0-9_]*)', constant, text)
        # @name is a parameter in gi-docgen, a tag in JSDoc.
        text = re.sub(r'(?<![\w`{])@([a-z_][a-z0-9_]*)', r'`\1`', text)
        return text.replace('*/', '*\\/')

    def comment(self, indent, doc='', params=(), returns='', since=None, deprecated=False,
                throws=False):
        lines = self.text(doc).split('\n') if doc else []
        for name, text in params:
            if text:
                lines.append('@param %s %s' % (name, self.text(text).replace('\n', '\n  ')))
        if returns:
            lines.append('@returns %s' % self.text(returns).replace('\n', '\n  '))
        if throws:
            lines.append('@throws {GLib.Error} when the call fails')
        if deprecated:
            lines.append('@deprecated')
        if since:
            lines.append('@since %s' % since)
        if not lines:
            return []
        body = '\n'.join(lines).split('\n')
        return [indent + '/**'] + [(indent + ' * ' + line).rstrip() for line in body] + \
            [indent + ' */']


class TsWriter:
    def __init__(self, ns):
        self.ns = ns
        self.docs = TsDocs(ns)
        self.error_domains = {e.name for e in ns.enums if e.error_domain}
        self.by_name = {k.name: k for k in ns.classes}

    # Types

    def type(self, t, nullable=False, in_method=False):
        kind, name, _ = t
        if kind == 'array':
            if name in ('guint8', 'gint8'):
                text = 'Uint8Array'
            else:
                text = '%s[]' % self.type(('type', name, None))
        elif name == 'none':
            return 'void'
        elif name in self.error_domains:
            text = 'number'
        elif name == 'Gio.AsyncReadyCallback':
            text = 'Gio.AsyncReadyCallback<this>' if in_method else 'Gio.AsyncReadyCallback'
        else:
            text = TS_BASIC.get(name) or basic_type(name, 1) or name
        if nullable and '|' in text:
            text = '(%s)' % text
        return '%s | null' % text if nullable else text

    def params(self, c, in_method):
        visible, _ = c.visible_params()
        return ', '.join('%s: %s' % (ts_name(p.name), self.type(p.type, p.nullable, in_method))
                         for p in visible)

    def returns(self, c):
        values = []
        if c.ret is not None and c.ret.type[1] != 'none':
            values.append(self.type(c.ret.type, c.ret.nullable))
        values += [self.type(p.type, p.nullable) for p in c.out_params()]
        if not values:
            return 'void'
        return values[0] if len(values) == 1 else '[%s]' % ', '.join(values)

    def callable_doc(self, c, indent):
        visible, _ = c.visible_params()
        returns = c.ret.doc if c.ret is not None else ''
        return self.docs.comment(indent, c.doc, [(ts_name(p.name), p.doc) for p in visible],
                                 returns, c.since, c.deprecated, c.throws)

    # Declarations

    def function(self, c, indent, prefix='function ', returns=None, in_method=False, name=None):
        out = self.callable_doc(c, indent)
        out.append('%s%s%s(%s): %s;' % (indent, prefix, name or ts_name(c.name),
                                        self.params(c, in_method), returns or self.returns(c)))
        return out

    def enum(self, e):
        out = self.docs.comment('    ', e.doc, since=e.since)
        out.append('    enum %s {' % e.name)
        for m in e.member_list:
            out += self.docs.comment('        ', m.doc)
            out.append('        %s = %s,' % (m.name.upper(), m.value))
        out += ['    }', '    namespace %s {' % e.name,
                '        const $gtype: GObject.GType<%s>;' % e.name]
        for c in e.functions:
            out += self.function(c, '        ')
        out.append('    }')
        return out

    def error_domain(self, e):
        out = self.docs.comment('    ', e.doc, since=e.since)
        out += ['    class %s extends GLib.Error {' % e.name,
                '        static $gtype: GObject.GType<GLib.Error>;']
        for m in e.member_list:
            out += self.docs.comment('        ', m.doc)
            out.append('        static %s: number;' % m.name.upper())
        out.append('        constructor(options: { message: string; code: number });')
        for c in e.functions:
            out += self.function(c, '        ', 'static ')
        out.append('    }')
        return out

    def property_types(self, klass, prop):
        """(read type, write type) of a property: each side's nullability
        is that of its accessor method, when the GIR names one."""
        methods = {m.name: m for m in klass.methods}
        t = prop.type
        loose = t[1] in STRINGS or t[1] in self.by_name or '.' in t[1]
        getter = methods.get(prop.getter)
        read_null = getter.ret.nullable if getter is not None and getter.ret else loose
        setter = methods.get(prop.setter)
        if setter is not None:
            visible, _ = setter.visible_params()
            write_null = bool(visible) and visible[0].nullable
        else:
            write_null = loose
        return self.type(t, read_null), self.type(t, write_null)

    def klass(self, k, record=False):
        name = k.name
        base = None if record else (k.parent or 'GObject.Object')
        base_ns = base if base is None or '.' in base else base
        out = []
        if not record:
            out += ['    namespace %s {' % name,
                    '        interface SignalSignatures extends %s.SignalSignatures {' % base_ns]
            for p in k.props:
                out.append("            'notify::%s': (pspec: GObject.ParamSpec) => void;" % p.name)
            out += ['        }',
                    '        interface ConstructorProps extends %s.ConstructorProps {' % base_ns]
            for p in k.props:
                if p.writable or p.construct_only:
                    _, write = self.property_types(k, p)
                    for key in prop_names(p.name):
                        out.append('            %s: %s;' % (key, write))
            out += ['        }', '    }']
        out += self.docs.comment('    ', k.doc, since=k.since)
        out.append('    %sclass %s%s {' % ('abstract ' if k.abstract else '', name,
                                           ' extends %s' % base if base else ''))
        out.append('        static $gtype: GObject.GType<%s>;' % name)
        if not record:
            out.append('        $signals: %s.SignalSignatures;' % name)
        for p in k.props:
            read, write = self.property_types(k, p)
            for key in prop_names(p.name):
                out += self.docs.comment('        ', p.doc, since=p.since)
                out.append('        get %s(): %s;' % (key, read))
                if p.writable and not p.construct_only:
                    out.append('        set %s(val: %s);' % (key, write))
        if record:
            # A boxed type the library hands out: never built from JavaScript.
            out.append('        private constructor();')
        else:
            out.append('        constructor(properties?: Partial<%s.ConstructorProps>, '
                       '...args: any[]);' % name)
        out.append('        _init(...args: any[]): void;')
        inherited = static_names(k, self.by_name)
        for c in k.constructors:
            out += self.function(c, '        ', 'static ', name, name=ts_static(c.name))
            if c.name in inherited:
                out.append('        // Another signature than %s.%s\'s: TypeScript wants the '
                           'parent\'s accepted too.' % (k.parent, c.name))
                out.append('        static %s(...args: never[]): any;' % ts_static(c.name))
        for c in k.functions:
            out += self.function(c, '        ', 'static ', name=ts_static(c.name))
        if not record:
            sig = '%s.SignalSignatures' % name
            out += ['        connect<K extends keyof %s>(signal: K, callback: '
                    'GObject.SignalCallback<this, %s[K]>): number;' % (sig, sig),
                    '        connect_after<K extends keyof %s>(signal: K, callback: '
                    'GObject.SignalCallback<this, %s[K]>): number;' % (sig, sig),
                    '        emit<K extends keyof %s>(signal: K, '
                    '...args: GObject.GjsParameters<%s[K]>): void;' % (sig, sig)]
        for c in k.methods:
            out += self.function(c, '        ', '', in_method=True)
        out.append('    }')
        return out

    def awaitable(self, k):
        """The type of klass on the namespace of imports.capsolver: its
        *_async methods also return a Promise when called without a
        callback."""
        name = k.name
        pairs = k.async_pairs()
        out = ['        interface %s extends CapSolver.%s {' % (name, name)]
        for c in k.methods:
            if c.name not in pairs:
                continue
            finish = k.method(c.name[:-6] + '_finish')
            visible, _ = c.visible_params()
            head = [p for p in visible if p.name != 'callback']
            params = ', '.join('%s: %s' % (ts_name(p.name), self.type(p.type, p.nullable))
                               for p in head)
            out += self.callable_doc(c, '            ')
            out.append('            %s(%s): Promise<%s>;' % (c.name, params, self.returns(finish)))
            out.append('            %s(%s): void;' % (c.name, self.params(c, True)))
        out.append('        }')
        out.append('        interface %sConstructor {' % name)
        out.append('            new (properties?: Partial<CapSolver.%s.ConstructorProps>, '
                   '...args: any[]): %s;' % (name, name))
        out.append('            readonly prototype: %s;' % name)
        out.append('            $gtype: GObject.GType<CapSolver.%s>;' % name)
        for c in k.constructors:
            out.append('            %s(%s): %s;' % (ts_static(c.name), self.params(c, False), name))
        for c in k.functions:
            out.append('            %s(%s): %s;' % (ts_static(c.name), self.params(c, False),
                                                   self.returns(c)))
        out.append('        }')
        return out

    def write(self):
        ns = self.ns
        module = 'gi://%s?version=%s' % (ns.name, ns.version)
        out = ['// The %s namespace for TypeScript: generated from %s-%s.gir by'
               % (ns.name, ns.name, ns.version),
               '// bindings/gen-types.py. Do not edit: edit the C API.',
               '//',
               '// The namespaces it imports (gi://GObject, gi://Gio, ...) and the GJS',
               '// globals are declared by ts-for-gir (or its @girs packages on npm).',
               '',
               "declare module '%s' {" % module]
        includes = [('GObject', '2.0'), ('GLib', '2.0'), ('Gio', '2.0')] + [
            i for i in ns.includes if i[0] not in ('GObject', 'GLib', 'Gio')]
        for name, version in includes:
            out.append("    import type %s from 'gi://%s?version=%s';" % (name, name, version))
        out.append('')
        body = []
        for name, t in ns.constants:
            body += self.docs.comment('    ', ns.constant_docs.get(name, ''))
            body.append('    const %s: %s;' % (name, self.type(t)))
        for f in ns.functions:
            body += self.function(f, '    ')
        for e in ns.enums:
            body += self.error_domain(e) if e.error_domain else self.enum(e)
        for r in ns.records:
            body += self.klass(r, record=True)
        for k in order_classes(ns.classes):
            body += self.klass(k)
        awaitable = [k for k in order_classes(ns.classes) if k.async_pairs()]
        body += ['    /**',
                 '     * The types of the namespace that `imports.capsolver` gives, where every',
                 '     * `*_async` method called without a callback returns a Promise. They',
                 '     * exist for the type checker only.',
                 '     */',
                 '    namespace Awaitable {']
        for k in awaitable:
            body += self.awaitable(k)
        body.append('        type Namespace = Omit<typeof CapSolver, %s> & {'
                    % ' | '.join("'%s'" % k.name for k in awaitable))
        for k in awaitable:
            body.append('            %s: %sConstructor;' % (k.name, k.name))
        body += ['        };', '    }']
        out.append('    export namespace %s {' % ns.name)
        out += ['    ' + line if line else line for line in body]
        out += ['    }', '',
                '    global {',
                '        interface GjsGiImports {',
                '            %s: typeof %s;' % (ns.name, ns.name),
                '        }',
                '        interface GjsImports {',
                '            /**',
                '             * The capsolver helper module (`const {CapSolver} = '
                'imports.capsolver;`): the',
                '             * namespace, with every `*_async` method promisified.',
                '             */',
                '            capsolver: {',
                '                %s: %s.Awaitable.Namespace;' % (ns.name, ns.name),
                '                promisifyAll(namespace: object): string[];',
                '            };',
                '        }',
                '    }',
                '',
                '    export default %s;' % ns.name, '}', '',
                "declare module 'gi://%s' {" % ns.name,
                "    import %s from '%s';" % (ns.name, module),
                '    export default %s;' % ns.name, '}', '']
        return '\n'.join(out)


TS_BASIC = {
    'GType': 'GObject.GType',
    'GLib.Quark': 'GLib.Quark',
    'GLib.HashTable': '{ [key: string]: any } | GLib.HashTable',
}

TS_RESERVED = {'function', 'default', 'new', 'in', 'delete', 'class', 'var', 'with'}


def ts_name(name):
    return name + '_' if name in TS_RESERVED else name


def ts_static(name):
    return '["%s"]' % name if name in TS_RESERVED else name


def prop_names(name):
    head, *rest = name.split('-')
    camel = head + ''.join(word.capitalize() for word in rest)
    return sorted({name.replace('-', '_'), camel})


def typescript(ns):
    return TsWriter(ns).write()


def main(argv):
    if len(argv) == 5 and argv[1] == 'python':
        text = python_stub(Namespace(argv[2]), argv[3])
    elif len(argv) == 4 and argv[1] == 'typescript':
        text = typescript(Namespace(argv[2]))
    else:
        sys.exit('usage: gen-types.py python GIR OVERRIDE_STUB OUTPUT | typescript GIR OUTPUT')
    with open(argv[-1], 'w', encoding='utf-8') as f:
        f.write(text)


if __name__ == '__main__':
    main(sys.argv)
