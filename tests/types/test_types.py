#!/usr/bin/python3
# test_types.py: the Python stub and the TypeScript declarations that the
# build generates declare exactly the GIR's API, with the PyGObject
# override's additions (Python) and the promisified *_async overloads.
#
# It reads the GIR, the stub and the d.ts on its own, so that a mistake of
# the generator (bindings/gen-types.py) shows here.
#
#   test_types.py GIR STUB DTS
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import ast
import re
import sys
import types
import unittest
import xml.etree.ElementTree as ET

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, GObject  # noqa: E402
import gi.overrides.CapSolver as override  # noqa: E402

GIR, STUB, DTS = sys.argv[1:4]
CORE = '{http://www.gtk.org/introspection/core/1.0}'
GLIB = '{http://www.gtk.org/introspection/glib/1.0}'


def read_gir():
    ns = ET.parse(GIR).getroot().find(CORE + 'namespace')
    api = {'classes': {}, 'props': {}, 'enums': {}, 'async': {}, 'records': {}}
    for r in ns.findall(CORE + 'record'):
        if r.get(GLIB + 'is-gtype-struct-for') is None and r.get(GLIB + 'type-name'):
            api['records'][r.get('name')] = {e.get('name') for tag in ('method', 'function')
                                             for e in r.findall(CORE + tag)}
    for c in ns.findall(CORE + 'class'):
        names = {e.get('name') for tag in ('constructor', 'method', 'function')
                 for e in c.findall(CORE + tag)}
        api['classes'][c.get('name')] = names
        api['props'][c.get('name')] = {p.get('name').replace('-', '_')
                                       for p in c.findall(CORE + 'property')}
        # the methods that capsolver.js promisifies: those of instances (a
        # static function such as Client.new_from_environment_async keeps
        # its callback form)
        methods = {e.get('name') for e in c.findall(CORE + 'method')}
        api['async'][c.get('name')] = {n for n in methods
                                       if n.endswith('_async') and n[:-6] + '_finish' in methods}
    for tag in ('enumeration', 'bitfield'):
        for e in ns.findall(CORE + tag):
            api['enums'][e.get('name')] = (
                {m.get('name').upper() for m in e.findall(CORE + 'member')} |
                {f.get('name') for f in e.findall(CORE + 'function')})
    api['constants'] = {c.get('name') for c in ns.findall(CORE + 'constant')}
    api['functions'] = {f.get('name') for f in ns.findall(CORE + 'function')}
    return api


def override_additions():
    """{class name: public names the override defines beyond the GIR}."""
    additions = {}
    for name in override.__all__:
        klass = getattr(override, name)
        own = set()
        # The class and its private mixins (a public base class has its own
        # stub class, which the stub's class inherits).
        layers = [klass] + [c for c in klass.__bases__ if c.__module__ == override.__name__
                            and c.__name__ not in override.__all__]
        for key, value in [item for c in layers for item in vars(c).items()]:
            if key.startswith('_') and not key.endswith('__'):
                continue
            if isinstance(value, (types.FunctionType, staticmethod, classmethod, property, type)):
                own.add(key)
        additions[name] = own
    return additions


class StubTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.api = read_gir()
        tree = ast.parse(open(STUB, encoding='utf-8').read())
        cls.classes, cls.props = {}, {}
        cls.top = set()
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                members = set()
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        members.add(item.name)
                    elif isinstance(item, ast.AnnAssign):
                        members.add(item.target.id)
                    elif isinstance(item, ast.Assign):
                        members.add(item.targets[0].id)
                    elif isinstance(item, ast.ClassDef) and item.name == 'Props':
                        cls.props[node.name] = {i.target.id for i in item.body
                                                if isinstance(i, ast.AnnAssign)}
                cls.classes[node.name] = members
            elif isinstance(node, ast.AnnAssign):
                cls.top.add(node.target.id)
            elif isinstance(node, ast.FunctionDef):
                cls.top.add(node.name)
        cls.additions = override_additions()

    def expected(self, name):
        gir = self.api['classes'].get(name) or self.api['enums'].get(name) or \
            self.api['records'].get(name) or set()
        # A typed task's constructor takes its properties and fields.
        constructor = {'__init__'} if name.endswith('Task') else set()
        return gir | self.additions.get(name, set()) | constructor

    def test_every_gir_name_declared(self):
        for name, members in (list(self.api['classes'].items()) +
                              list(self.api['enums'].items()) +
                              list(self.api['records'].items())):
            self.assertIn(name, self.classes)
            self.assertEqual(members - self.classes[name], set(), name)
        for name, props in self.api['props'].items():
            self.assertEqual(props - self.props.get(name, set()), set(), name)
        self.assertEqual((self.api['constants'] | self.api['functions']) - self.top, set())

    def test_every_override_addition_declared(self):
        for name, own in self.additions.items():
            self.assertIn(name, self.classes)
            self.assertEqual(own - self.classes[name], set(), name)

    def test_nothing_extra(self):
        known = set(self.api['classes']) | set(self.api['enums']) | set(self.api['records']) | \
            set(self.additions)
        for name, members in self.classes.items():
            if name.startswith('_'):
                continue
            self.assertIn(name, known)
            extra = members - self.expected(name) - {'Props', 'props'}
            self.assertEqual(extra, set(), name)
        for name, props in self.props.items():
            self.assertEqual(props - self.api['props'].get(name, set()), set(), name)
        self.assertEqual(self.top - self.api['constants'] - self.api['functions'], set())

    def test_typed_task_constructors_follow_the_schema(self):
        tree = ast.parse(open(STUB, encoding='utf-8').read())
        keywords = {}
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == '__init__':
                        keywords[node.name] = {a.arg for a in item.args.kwonlyargs}
        checked = 0
        for task_type in CapSolver.TaskType.get_all():
            name = task_type.get_task_gtype().name[len('Cs'):]
            if name == 'Task':
                continue
            klass = getattr(CapSolver, name)
            expected = {f.get_member() for f in task_type.get_fields()
                        if f.get_member().isidentifier()}
            expected |= {p.name.replace('-', '_') for p in klass.list_properties()
                         if p.flags & GObject.ParamFlags.WRITABLE and p.name != 'type-name'}
            self.assertEqual(keywords.get(name), expected, name)
            checked += 1
        self.assertGreater(checked, 10)

    def test_matches_the_runtime(self):
        # What the stub declares exists at run time (override included).
        for name, members in self.classes.items():
            if name.startswith('_'):
                continue
            klass = getattr(CapSolver, name)
            for member in members - {'Props', 'props'}:
                self.assertTrue(hasattr(klass, member), '%s.%s' % (name, member))


class TypeScriptTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.api = read_gir()
        text = open(DTS, encoding='utf-8').read()
        # Drop the JSDoc comments: what is left is one declaration a line.
        text = re.sub(r'/\*\*.*?\*/', '', text, flags=re.S)
        cls.classes, cls.promises, cls.statics = {}, {}, {}
        cls.top = set()
        current = awaitable = None
        for line in text.split('\n'):
            indent = len(line) - len(line.lstrip())
            line = line.strip()
            if not line or line.startswith('//'):
                continue
            if indent == 8:
                current = awaitable = None
                head = re.match(r'(?:abstract )?(class|enum) (\w+)', line)
                if head:
                    current = cls.classes.setdefault(head.group(2), set())
                    continue
                name = re.match(r'namespace (\w+)', line)
                if name and name.group(1) in cls.api['enums']:
                    # An enumeration's functions.
                    current = cls.classes.setdefault(name.group(1), set())
                elif name and name.group(1) == 'Awaitable':
                    awaitable = True
                top = re.match(r'(?:const|function) (\w+)', line)
                if top:
                    cls.top.add(top.group(1))
            elif indent == 12 and awaitable:
                head = re.match(r'interface (\w+) extends', line)
                current = cls.promises.setdefault(head.group(1), set()) if head else None
            elif indent == 12 and current is not None:
                member = re.match(r'(?:static |readonly |function |const |get |set )?'
                                  r'(\$?\w+|\["\w+"\])[(:= <]', line)
                if member:
                    current.add(member.group(1).strip('[]"'))
            elif indent == 16 and awaitable and current is not None and 'Promise<' in line:
                current.add(re.match(r'(\w+)\(', line).group(1))

    def test_every_gir_name_declared(self):
        for name, members in list(self.api['classes'].items()) + list(self.api['enums'].items()):
            self.assertIn(name, self.classes)
            self.assertEqual(members - self.classes[name], set(), name)
        for name, props in self.api['props'].items():
            self.assertEqual(props - self.classes[name], set(), name)
        self.assertEqual((self.api['constants'] | self.api['functions']) - self.top, set())

    def test_promise_forms_only_on_the_awaitable_namespace(self):
        for name, pairs in self.api['async'].items():
            self.assertEqual(pairs, self.promises.get(name, set()), name)
        text = open(DTS, encoding='utf-8').read()
        head, _, tail = text.partition('namespace Awaitable {')
        self.assertNotIn('Promise<', head)

    def test_error_domain_is_a_class(self):
        text = open(DTS, encoding='utf-8').read()
        self.assertIn('class Error extends GLib.Error {', text)
        self.assertIn('static ZERO_BALANCE: number;', text)
        self.assertIn('capsolver: {', text)

    def test_nothing_extra(self):
        self.assertEqual(set(self.classes) - set(self.api['classes']) - set(self.api['enums'])
                         - set(self.api['records']), set())
        for name, members in self.classes.items():
            gir = self.api['classes'].get(name) or self.api['enums'].get(name) or \
                self.api['records'].get(name)
            props = self.api['props'].get(name, set())
            camel = {re.sub(r'_(\w)', lambda m: m.group(1).upper(), p) for p in props}
            extra = members - gir - props - camel - {'$gtype', '$signals', 'constructor', 'private',
                                                       '_init', 'connect', 'connect_after',
                                                       'emit'}
            self.assertEqual(extra, set(), name)
        self.assertEqual(self.top - self.api['constants'] - self.api['functions']
                         - {f for e in self.api['enums'].values() for f in e}, set())


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
