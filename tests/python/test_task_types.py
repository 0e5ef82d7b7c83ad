#!/usr/bin/python3
# test_task_types.py: the schema of task types (CapSolver.TaskType) from
# Python, and the capsolver command beside it.
#
#   test_task_types.py CAPSOLVER
#
# TaskTypesTest.test_every_type (the scenario task-types/every-type) builds
# every variant of every type of the schema from the schema alone (its
# class, its required fields filled with their examples, a proxy where one
# is needed) and solves it on an in-process sandbox; CommandTest checks,
# with the path of the command, that `capsolver types` lists every type
# name and field of the schema. A type added to the library's table
# that Python, the sandbox or the command misses fails here, by name.
# ProvidersTest reads the providers' rows (CapSolver.Provider) beside
# `capsolver providers`.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import base64
import json
import os
import subprocess
import sys
import unittest

import gi
gi.require_version('GLib', '2.0')
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver  # noqa: E402

CAPSOLVER = None
# A 1x1 grey PNG: the image of every image field.
PNG = base64.b64decode(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==')
PROXY = 'http:192.0.2.10:8080:user:pass'
KIND = CapSolver.TaskFieldKind


def example_value(field):
    """The value a field gets from the schema: the test image for an image
    field, else its example (text, or JSON for the kinds that are not)."""
    if field.is_image():
        encoded = base64.b64encode(PNG).decode('ascii')
        return [encoded] if field.get_kind() == KIND.STRV else encoded
    example = field.get_example()
    if example is None or field.get_kind() in (KIND.STRING, KIND.COOKIES):
        return example
    return json.loads(example)


def variants(task_type):
    """(with_proxy, enterprise, type name) of each variant the type has."""
    for enterprise in (False, True):
        for with_proxy in (False, True):
            name = task_type.get_wire_name(with_proxy, enterprise)
            if name is not None:
                yield with_proxy, enterprise, name


class SchemaTest(unittest.TestCase):
    """The schema reads the same from Python as from C."""

    def test_lookup(self):
        types = CapSolver.TaskType.get_all()
        self.assertGreaterEqual(len(types), 14)
        geetest = CapSolver.TaskType.lookup('geetesttaskproxyless')
        self.assertEqual(geetest.get_name(), 'geetest')
        self.assertEqual(geetest, CapSolver.TaskType.find('geetest'))
        self.assertIn(geetest, types)
        self.assertEqual(geetest.dup_wire_names(), ['GeeTestTaskProxyLess', 'GeeTestTask'])
        self.assertEqual(geetest.get_wire_name(True, False), 'GeeTestTask')
        self.assertIsNone(geetest.get_wire_name(True, True))
        self.assertEqual(geetest.get_proxy_requirement(), CapSolver.ProxyRequirement.OPTIONAL)
        self.assertEqual(geetest.get_task_gtype(), CapSolver.GeeTestTask.__gtype__)
        self.assertIsNone(CapSolver.TaskType.lookup('HCaptchaTaskProxyLess'))
        self.assertIsNone(CapSolver.TaskType.find('hcaptcha'))

    def test_fields(self):
        geetest = CapSolver.TaskType.find('geetest')
        members = [field.get_member() for field in geetest.get_fields()]
        self.assertEqual(members[:4], ['websiteURL', 'gt', 'challenge', 'captchaId'])
        gt = geetest.lookup_field('gt')
        self.assertTrue(gt.is_required())
        self.assertEqual(gt.get_required_unless(), 'captchaId')
        action = CapSolver.TaskType.find('turnstile').lookup_field('action')
        self.assertEqual(action.get_member(), 'metadata.action')
        self.assertEqual(action.get_kind(), KIND.STRING)
        self.assertFalse(action.is_required())
        body = CapSolver.TaskType.find('image-to-text').lookup_field('body')
        self.assertTrue(body.is_image())
        self.assertIsNone(body.get_example())

    def test_task_type_of_a_task(self):
        task = CapSolver.TurnstileTask(website_url='https://example.com/', website_key='k')
        self.assertEqual(task.get_task_type(), CapSolver.TaskType.find('turnstile'))
        self.assertIsNone(CapSolver.Task('HCaptchaTask').get_task_type())

    def test_one_writer(self):
        task = CapSolver.TaskType.find('turnstile').new_task()
        notified = []
        task.connect('notify::action', lambda t, _pspec: notified.append(t.props.action))
        task['metadata.action'] = 'login'
        self.assertEqual(task.props.action, 'login')
        self.assertEqual(notified, ['login'])
        self.assertEqual(task.to_dict()['metadata'], {'action': 'login'})


class TaskTypesTest(unittest.TestCase):
    """Every variant of every type of the schema, built from the schema
    alone, is solved by the sandbox."""

    def setUp(self):
        self.sandbox = CapSolver.Sandbox.new()
        self.sandbox.start(0)
        self.client = CapSolver.Client(CapSolver.SANDBOX_DEFAULT_KEY,
                                       base_url=self.sandbox.get_base_url(),
                                       first_poll_delay=2, poll_interval=2)

    def tearDown(self):
        self.sandbox.stop()

    def build(self, task_type, with_proxy, enterprise):
        task = task_type.new_task()
        if with_proxy:
            task.set_proxy(CapSolver.Proxy.new_from_string(PROXY))
        if enterprise:
            task.props.enterprise = True
        chosen = set()
        for field in task_type.get_fields():
            unless = field.get_required_unless()
            if not field.is_required() or (unless is not None and unless in chosen):
                continue
            value = example_value(field)
            self.assertIsNotNone(value, '%s: the required field %s has no example'
                                 % (task_type.get_name(), field.get_member()))
            task[field.get_member()] = value
            chosen.add(field.get_member())
        return task

    def test_every_type(self):
        for task_type in CapSolver.TaskType.get_all():
            name = task_type.get_name()
            with self.subTest(type=name):
                gtype = task_type.get_task_gtype()
                self.assertTrue(gtype.is_a(CapSolver.Task.__gtype__)
                                and gtype != CapSolver.Task.__gtype__,
                                '%s has no typed class' % name)
                for with_proxy, enterprise, wire_name in variants(task_type):
                    task = self.build(task_type, with_proxy, enterprise)
                    self.assertEqual(task.get_type_name(), wire_name)
                    self.assertEqual(task.get_task_type(), task_type)
                    try:
                        solution = self.client.solve(task)
                    except CapSolver.Error as error:
                        self.fail('%s: the sandbox does not solve it: %s'
                                  % (wire_name, error.message))
                    self.assertEqual(task.get_status(), CapSolver.TaskStatus.READY)
                    self.assertTrue(dict(solution), wire_name)


class CommandTest(unittest.TestCase):
    """`capsolver types` is a printout of the schema."""

    def run_command(self, *args):
        self.assertIsNotNone(CAPSOLVER, 'the path of the capsolver command is the argument')
        result = subprocess.run([CAPSOLVER, *args], capture_output=True, text=True,
                                timeout=60, env=dict(os.environ, NO_COLOR='1'))
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def test_types_lists_every_type(self):
        listed = self.run_command('types', '--names').split()
        printed = {entry['name']: entry
                   for entry in json.loads(self.run_command('--json', 'types'))}
        for task_type in CapSolver.TaskType.get_all():
            name = task_type.get_name()
            with self.subTest(type=name):
                for wire_name in task_type.dup_wire_names():
                    self.assertIn(wire_name, listed, '%s is not listed' % wire_name)
                self.assertIn(name, printed, '%s is not listed' % name)
                self.assertEqual([field['member'] for field in printed[name]['fields']],
                                 [field.get_member() for field in task_type.get_fields()])
                self.assertEqual(printed[name]['needsProxy'],
                                 task_type.get_proxy_requirement()
                                 == CapSolver.ProxyRequirement.REQUIRED)
        self.assertEqual(len(printed), len(CapSolver.TaskType.get_all()))


class ProvidersTest(unittest.TestCase):
    """The providers' rows read the same from Python as `capsolver providers`
    prints them, and a sandbox speaks a provider's dialect."""

    run_command = CommandTest.run_command

    def test_providers_as_the_command_lists_them(self):
        printed = {entry['name']: entry
                   for entry in json.loads(self.run_command('--json', 'providers'))}
        for value in CapSolver.Provider.__enum_values__.values():
            entry = printed[CapSolver.Provider.get_name(value)]
            self.assertEqual(entry['displayName'], CapSolver.Provider.get_display_name(value))
            self.assertEqual(entry['endpoints'], list(CapSolver.Provider.get_base_urls(value)))
            names = {task_type.get_name(): task_type.dup_provider_names(value)
                     for task_type in CapSolver.TaskType.get_all()}
            self.assertEqual({t['family']: t['types'] for t in entry['types']},
                             {family: types for family, types in names.items() if types})
        self.assertEqual(CapSolver.TaskType.lookup('ReCaptchaV2TaskProxyLess')
                         .dup_provider_names(CapSolver.Provider.ANTI_CAPTCHA),
                         ['RecaptchaV2TaskProxyless', 'RecaptchaV2Task',
                          'RecaptchaV2EnterpriseTaskProxyless', 'RecaptchaV2EnterpriseTask'])

    def test_names(self):
        # every value is an identifier in the bindings; the names are the
        # ones a command line takes
        self.assertEqual(CapSolver.Provider.TWOCAPTCHA.value_nick, 'twocaptcha')
        self.assertEqual(CapSolver.Provider.get_name(CapSolver.Provider.TWOCAPTCHA), '2captcha')
        for value in CapSolver.Provider.__enum_values__.values():
            self.assertTrue(value.value_name.isidentifier())
            name = CapSolver.Provider.get_name(value)
            self.assertEqual(CapSolver.Provider.from_name(name.upper()), (True, value))
        self.assertEqual(CapSolver.Provider.from_name('nosuch')[0], False)

    def test_sandbox_dialect_property(self):
        sandbox = CapSolver.Sandbox(dialect=CapSolver.Provider.CAPMONSTER)
        self.assertEqual(sandbox.props.dialect, CapSolver.Provider.CAPMONSTER)
        sandbox.set_dialect(CapSolver.Provider.CAPSOLVER)
        self.assertEqual(sandbox.get_dialect(), CapSolver.Provider.CAPSOLVER)

    def test_client_speaks_the_providers_dialect(self):
        # a blocking solve against a sandbox in Anti-Captcha's dialect: a
        # numbered task, and the fields the provider sends beside the solution
        with CapSolver.Sandbox(dialect=CapSolver.Provider.ANTI_CAPTCHA) as sandbox:
            sandbox.add_key('py-provider-key', 5.0)
            client = CapSolver.Client('py-provider-key',
                                      provider=CapSolver.Provider.ANTI_CAPTCHA,
                                      base_url=sandbox.get_base_url(),
                                      first_poll_delay=10, poll_interval=10)
            self.assertEqual(client.props.provider, CapSolver.Provider.ANTI_CAPTCHA)
            task = CapSolver.Task.new('ReCaptchaV2TaskProxyLess')
            task.set_string('websiteURL', 'https://example.com/login')
            task.set_string('websiteKey', '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-')
            solution = client.solve(task, None)
            self.assertTrue(task.props.task_id.isdigit())
            self.assertGreater(solution.props.cost, 0)
            self.assertEqual(solution.get_cost(), solution.props.cost)
            self.assertEqual(solution.props.ip, '127.0.0.1')
            self.assertEqual(solution.props.solve_count, 1)
            self.assertLessEqual(solution.props.task_create_time, solution.get_task_end_time())
        default = CapSolver.Client('k', provider=CapSolver.Provider.CAPMONSTER)
        self.assertEqual(default.get_base_url(), 'https://api.capmonster.cloud')



if __name__ == '__main__':
    if len(sys.argv) > 1:
        CAPSOLVER = sys.argv.pop(1)
    unittest.main(verbosity=2)
