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
# replaces it. Both outputs declare every *_async method that has a
# *_finish twice: with a callback, and without one returning the result of
# the *_finish (an awaitable in Python's asyncio, a Promise in GJS once the
# capsolver helper module has promisified it).
#
# Python standard library only.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import ast
import keyword
import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
GLIB = '{http://www.gtk.org/introspection/glib/1.0}'

INTEGERS = {'gint', 'guint', 'gint8', 'guint8', 'gint16', 'guint16', 'gint32', 'guint32',
            'gint64', 'guint64', 'glong', 'gulong', 'gsize', 'gssize', 'gshort', 'gushort',
            'gchar', 'guchar', 'gunichar', 'GType', 'GLib.Quark', 'GLib.Pid'}
FLOATS = {'gdouble', 'gfloat'}
STRINGS = {'utf8', 'filename'}

# GIR names the Python stub declares under another name (an enumeration
# that the override replaces keeps its type as _Name).
PY_RENAMES = {}


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


class Klass:
    def __init__(self, element, kind):
        self.name = element.get('name')
        self.kind = kind
        self.parent = element.get('parent')
        self.constructors = [Callable(e, 'constructor') for e in element.findall(CORE + 'constructor')]
        self.methods = [Callable(e, 'method') for e in element.findall(CORE + 'method')]
        self.functions = [Callable(e, 'function') for e in element.findall(CORE + 'function')]
        self.properties = [(p.get('name'), type_of(p), p.get('writable') == '1')
                           for p in element.findall(CORE + 'property')]
        self.members = [(m.get('name'), m.get('value')) for m in element.findall(CORE + 'member')]

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
        self.enums = [Klass(e, 'enum') for e in ns.findall(CORE + 'enumeration')]
        self.enums += [Klass(e, 'flags') for e in ns.findall(CORE + 'bitfield')]
        self.functions = [Callable(e, 'function') for e in ns.findall(CORE + 'function')]
        self.constants = [(c.get('name'), type_of(c)) for c in ns.findall(CORE + 'constant')]


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


def py_type(t, nullable=False):
    kind, name, _ = t
    if kind == 'array':
        text = 'list[%s]' % py_type(('type', name, None))
    elif name == 'none':
        return 'None'
    else:
        text = basic_type(name, 0) or PY_RENAMES.get(name, name)
    return 'typing.Optional[%s]' % text if nullable else text


def py_params(c, drop_from=None, with_callback=False):
    """The parameters as Python declares them: the trailing nullable ones
    may be left out (PyGObject passes None)."""
    visible, _ = c.visible_params()
    if drop_from is not None:
        visible = visible[:[p.name for p in visible].index(drop_from)]
    optional = len(visible)
    while optional > 0 and visible[optional - 1].nullable and not with_callback:
        optional -= 1
    out = []
    for i, p in enumerate(visible):
        nullable = p.nullable and not (with_callback and p.type[1] == 'Gio.AsyncReadyCallback')
        default = ' = None' if i >= optional else ''
        out.append('%s: %s%s' % (py_name(p.name), py_type(p.type, nullable), default))
    return out


def py_return(c):
    values = []
    if c.ret is not None and c.ret.type[1] != 'none':
        values.append(py_type(c.ret.type, c.ret.nullable))
    values += [py_type(p.type, p.nullable) for p in c.out_params()]
    if not values:
        return 'None'
    if len(values) == 1:
        return values[0]
    return 'tuple[%s]' % ', '.join(values)


def py_def(c, indent, self_arg, returns=None, comment=''):
    """A def line, with its decorator; returns replaces the GIR's return
    type (a constructor returns its own class)."""
    lines = []
    params = py_params(c)
    if self_arg == 'cls':
        lines.append(indent + '@classmethod')
    elif self_arg is None and indent:
        lines.append(indent + '@staticmethod')
    first = [self_arg] if self_arg else []
    lines.append('%sdef %s(%s) -> %s: ...%s' % (indent, py_name(c.name), ', '.join(first + params),
                                               returns or py_return(c), comment))
    return lines


def py_async_defs(klass, c, indent):
    finish = klass.method(c.name[:-6] + '_finish')
    without = ', '.join(['self'] + py_params(c, drop_from='callback'))
    with_callback = ', '.join(['self'] + py_params(c, with_callback=True) +
                              ['user_data: typing.Any = None'])
    return [indent + '@typing.overload',
            '%sdef %s(%s) -> typing.Awaitable[%s]: ...' % (indent, c.name, without, py_return(finish)),
            indent + '@typing.overload',
            '%sdef %s(%s) -> None: ...' % (indent, c.name, with_callback)]


def py_class(klass, extra, by_name):
    lines = []
    base = klass.parent or 'GObject.Object'
    lines.append('class %s(%s):' % (klass.name, base))
    body = []
    parent_props = '%s.Props' % base if '.' not in base else 'GObject.Object.Props'
    if klass.properties:
        body.append('    class Props(%s):' % parent_props)
        for name, t, _ in klass.properties:
            body.append('        %s: %s' % (name.replace('-', '_'), py_type(t, t[1] in STRINGS)))
        body.append('    props: Props')
    members = {}
    inherited = static_names(klass, by_name)
    for c in klass.constructors:
        # A subclass's constructor takes other arguments than its parent's.
        comment = '  # type: ignore[override]' if c.name in inherited else ''
        members[c.name] = py_def(c, '    ', 'cls', klass.name, comment)
    pairs = klass.async_pairs()
    for c in klass.methods:
        members[c.name] = py_async_defs(klass, c, '    ') if c.name in pairs else py_def(c, '    ', 'self')
    for c in klass.functions:
        members[c.name] = py_def(c, '    ', None)
    members.update(extra)
    for lines_of in members.values():
        body.extend(lines_of)
    return lines + (body or ['    ...'])


def py_enum(klass, name=None):
    base = 'GObject.GFlags' if klass.kind == 'flags' else 'GObject.GEnum'
    name = name or klass.name
    lines = ['class %s(%s):' % (name, base)]
    lines += py_enum_members(klass, name)
    return lines


def py_enum_members(klass, type_name):
    lines = ['    %s: %s' % (member.upper(), type_name) for member, _ in klass.members]
    for c in klass.functions:
        lines.extend(py_def(c, '    ', None))
    return lines


def override_parts(path):
    """{class name: (header line, {member: lines})} and the other top-level
    statements of the hand-written override stub."""
    text = open(path, encoding='utf-8').read()
    tree = ast.parse(text)
    classes, others = {}, []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bases = ', '.join(ast.get_source_segment(text, b) for b in node.bases)
            header = 'class %s(%s):' % (node.name, bases) if bases else 'class %s:' % node.name
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
            classes[node.name] = (header, members)
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            others.append(ast.get_source_segment(text, node))
    return classes, others


def python_stub(ns, override_path):
    classes, others = override_parts(override_path)
    PY_RENAMES.update({e.name: '_' + e.name for e in ns.enums if e.name in classes})
    out = ['# The %s namespace for Python type checkers: generated from %s-%s.gir'
           % (ns.name, ns.name, ns.version),
           '# by bindings/gen-types.py, with the PyGObject override\'s additions.',
           '# Do not edit: edit the C API or bindings/python/CapSolver-override.pyi.',
           '# Names that start with an underscore exist for the type checker only.',
           '', 'import typing', '']
    out += ['from gi.repository import %s' % name for name, _ in ns.includes]
    out += ['from gi.repository import Gio, GLib, GObject', '']
    out += others
    for name, t in ns.constants:
        out.append('%s: %s' % (name, py_type(t)))
    out.append('')
    enum_names = {e.name for e in ns.enums}
    for e in ns.enums:
        if e.name in classes:
            # The override replaces the enumeration with a class that
            # carries its members and functions (Error and Error.Code).
            hidden = '_' + e.name
            out.extend(py_enum(e, hidden))
            out.append('')
            header, extra = classes[e.name]
            merged = {}
            for c in e.functions:
                merged[c.name] = py_def(c, '    ', None)
            for member, _ in e.members:
                merged[member.upper()] = ['    %s: %s' % (member.upper(), hidden)]
            merged.update(extra)
            out.append(header)
            for lines_of in merged.values():
                out.extend(lines_of)
        else:
            out.extend(py_enum(e))
        out.append('')
    by_name = {k.name: k for k in ns.classes}
    for k in order_classes(ns.classes):
        extra = classes[k.name][1] if k.name in classes else {}
        out.extend(py_class(k, extra, by_name))
        out.append('')
    known = enum_names | {k.name for k in ns.classes}
    for name, (header, members) in classes.items():
        if name not in known:
            out.append(header)
            for lines_of in members.values():
                out.extend(lines_of)
            if not members:
                out.append('    ...')
            out.append('')
    for f in ns.functions:
        out.extend(py_def(f, '', None))
    return '\n'.join(line for line in out if line is not None) + '\n'


# --- TypeScript -----------------------------------------------------------------

def ts_type(t, nullable=False):
    kind, name, _ = t
    if kind == 'array':
        text = '%s[]' % ts_type(('type', name, None))
    elif name == 'none':
        return 'void'
    else:
        text = basic_type(name, 1) or name
    if nullable and '=>' in text:
        text = '(%s)' % text
    return '%s | null' % text if nullable else text


TS_RESERVED = {'function', 'default', 'new', 'in', 'delete', 'class', 'var', 'with'}


def ts_params(c, drop_from=None):
    visible, _ = c.visible_params()
    out = []
    for p in visible:
        if drop_from is not None and p.name == drop_from:
            break
        name = p.name + '_' if p.name in TS_RESERVED else p.name
        out.append('%s: %s' % (name, ts_type(p.type, p.nullable)))
    return ', '.join(out)


def ts_return(c):
    values = []
    if c.ret is not None and c.ret.type[1] != 'none':
        values.append(ts_type(c.ret.type, c.ret.nullable))
    values += [ts_type(p.type, p.nullable) for p in c.out_params()]
    if not values:
        return 'void'
    return values[0] if len(values) == 1 else '[%s]' % ', '.join(values)


def camel(name):
    head, *rest = name.split('-')
    return head + ''.join(word.capitalize() for word in rest)


def ts_class(klass, by_name):
    base = klass.parent or 'GObject.Object'
    out = ['    namespace %s {' % klass.name,
           '        interface ConstructorProps extends %s.ConstructorProps {' % base]
    for name, t, writable in klass.properties:
        if writable:
            for key in sorted({name.replace('-', '_'), camel(name)}):
                out.append('            %s: %s;' % (key, ts_type(t)))
    out += ['        }', '    }',
            '    class %s extends %s {' % (klass.name, base),
            '        static $gtype: GObject.GType<%s>;' % klass.name,
            '        constructor(properties?: Partial<%s.ConstructorProps>, ...args: any[]);'
            % klass.name]
    for name, t, writable in klass.properties:
        prefix = '' if writable else 'readonly '
        for key in sorted({name.replace('-', '_'), camel(name)}):
            out.append('        %s%s: %s;' % (prefix, key, ts_type(t, t[1] in STRINGS)))
    inherited = static_names(klass, by_name)
    for c in klass.constructors:
        if c.name in inherited:
            # TypeScript wants a subclass's statics to accept the parent's
            # arguments; GJS does not: this overload says so.
            out.append('        static %s(...args: never[]): any;' % c.name)
        out.append('        static %s(%s): %s;' % (c.name, ts_params(c), klass.name))
    for c in klass.functions:
        out.append('        static %s(%s): %s;' % (c.name, ts_params(c), ts_return(c)))
    pairs = klass.async_pairs()
    for c in klass.methods:
        out.append('        %s(%s): %s;' % (c.name, ts_params(c), ts_return(c)))
        if c.name in pairs:
            finish = klass.method(c.name[:-6] + '_finish')
            out.append('        %s(%s): Promise<%s>;'
                       % (c.name, ts_params(c, drop_from='callback'), ts_return(finish)))
    out.append('    }')
    return out


def ts_enum(klass):
    out = ['    enum %s {' % klass.name]
    for name, value in klass.members:
        out.append('        %s = %s,' % (name.upper(), value))
    out.append('    }')
    if klass.functions:
        out.append('    namespace %s {' % klass.name)
        for c in klass.functions:
            out.append('        function %s(%s): %s;' % (c.name, ts_params(c), ts_return(c)))
        out.append('    }')
    return out


def typescript(ns):
    module = 'gi://%s?version=%s' % (ns.name, ns.version)
    out = ['// The %s namespace for TypeScript: generated from %s-%s.gir by' % (ns.name, ns.name, ns.version),
           '// bindings/gen-types.py. Do not edit: edit the C API.',
           '//',
           '// The declarations of the namespaces it imports (gi://GObject, gi://Gio, ...)',
           '// come from ts-for-gir (the @girs packages on npm).',
           '',
           "declare module '%s' {" % module]
    for name, version in [('GObject', '2.0'), ('GLib', '2.0'), ('Gio', '2.0')] + [
            i for i in ns.includes if i[0] not in ('GObject', 'GLib', 'Gio')]:
        out.append("    import type %s from 'gi://%s?version=%s';" % (name, name, version))
    out.append('')
    body = []
    for name, t in ns.constants:
        body.append('    const %s: %s;' % (name, ts_type(t)))
    for f in ns.functions:
        body.append('    function %s(%s): %s;' % (f.name, ts_params(f), ts_return(f)))
    for e in ns.enums:
        body.extend(ts_enum(e))
    by_name = {k.name: k for k in ns.classes}
    for k in order_classes(ns.classes):
        body.extend(ts_class(k, by_name))
    out.append('    namespace %s {' % ns.name)
    out += ['    ' + line for line in body]
    out += ['    }', '    export default %s;' % ns.name, '}', '',
            "declare module 'gi://%s' {" % ns.name,
            "    export * from '%s';" % module,
            "    import %s from '%s';" % (ns.name, module),
            '    export default %s;' % ns.name, '}', '']
    return '\n'.join(out)


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
