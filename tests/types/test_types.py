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
from gi.repository import CapSolver  # noqa: E402
import gi.overrides.CapSolver as override  # noqa: E402

GIR, STUB, DTS = sys.argv[1:4]
CORE = '{http://www.gtk.org/introspection/core/1.0}'


def read_gir():
    ns = ET.parse(GIR).getroot().find(CORE + 'namespace')
    api = {'classes': {}, 'props': {}, 'enums': {}, 'async': {}}
    for c in ns.findall(CORE + 'class'):
        names = {e.get('name') for tag in ('constructor', 'method', 'function')
                 for e in c.findall(CORE + tag)}
        api['classes'][c.get('name')] = names
        api['props'][c.get('name')] = {p.get('name').replace('-', '_')
                                       for p in c.findall(CORE + 'property')}
        api['async'][c.get('name')] = {n for n in names
                                       if n.endswith('_async') and n[:-6] + '_finish' in names}
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
        gir = self.api['classes'].get(name) or self.api['enums'].get(name) or set()
        return gir | self.additions.get(name, set())

    def test_every_gir_name_declared(self):
        for name, members in list(self.api['classes'].items()) + list(self.api['enums'].items()):
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
        known = set(self.api['classes']) | set(self.api['enums']) | set(self.additions)
        for name, members in self.classes.items():
            if name.startswith('_'):
                continue
            self.assertIn(name, known)
            extra = members - self.expected(name) - {'Props', 'props'}
            self.assertEqual(extra, set(), name)
        for name, props in self.props.items():
            self.assertEqual(props - self.api['props'].get(name, set()), set(), name)
        self.assertEqual(self.top - self.api['constants'] - self.api['functions'], set())

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
        cls.classes, cls.promises = {}, {}
        cls.top = set()
        current = None
        for line in text.split('\n'):
            indent = len(line) - len(line.lstrip())
            line = line.strip()
            head = re.match(r'(class|enum) (\w+)', line)
            if indent == 8 and head:
                current = cls.classes.setdefault(head.group(2), set())
                cls.promises.setdefault(head.group(2), set())
                continue
            if indent == 8 and line.startswith('namespace '):
                # An enumeration's functions, or a class's ConstructorProps.
                name = line.split()[1]
                current = cls.classes.get(name) if name in cls.api['enums'] else None
                continue
            if indent == 8:
                top = re.match(r'(?:const|function) (\w+)', line)
                if top:
                    cls.top.add(top.group(1))
                continue
            if indent == 12 and current is not None:
                member = re.match(r'(?:static |readonly |function )?(\$?\w+)[(:= ]', line)
                if member:
                    current.add(member.group(1))
                    if 'Promise<' in line:
                        cls.promises[head_name(current, cls.classes)].add(member.group(1))

    def test_every_gir_name_declared(self):
        for name, members in list(self.api['classes'].items()) + list(self.api['enums'].items()):
            self.assertIn(name, self.classes)
            self.assertEqual(members - self.classes[name], set(), name)
        for name, props in self.api['props'].items():
            self.assertEqual(props - self.classes[name], set(), name)
        self.assertEqual((self.api['constants'] | self.api['functions']) - self.top, set())

    def test_promise_overloads(self):
        for name, pairs in self.api['async'].items():
            self.assertEqual(pairs, self.promises[name], name)

    def test_nothing_extra(self):
        self.assertEqual(set(self.classes) - set(self.api['classes']) - set(self.api['enums']), set())
        for name, members in self.classes.items():
            gir = self.api['classes'].get(name) or self.api['enums'].get(name)
            props = self.api['props'].get(name, set())
            camel = {re.sub(r'_(\w)', lambda m: m.group(1).upper(), p) for p in props}
            extra = members - gir - props - camel - {'$gtype', 'constructor'}
            # Enumeration functions are declared in the merged namespace.
            self.assertEqual(extra, set(), name)
        self.assertEqual(self.top - self.api['constants'] - self.api['functions']
                         - {f for e in self.api['enums'].values() for f in e}, set())


def head_name(members, classes):
    return next(name for name, m in classes.items() if m is members)


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
