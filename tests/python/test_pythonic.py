#!/usr/bin/python3
# test_pythonic.py: what the override adds besides asyncio: the sandbox as
# a context manager, tasks and solutions as dicts, getters that return
# Python values, proxy parse errors as CapSolver.Error.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import collections.abc
import unittest

import gi
gi.require_version('CapSolver', '1')
gi.require_version('Json', '1.0')
from gi.repository import CapSolver, Json  # noqa: E402

PAGE = 'https://example.com/login'
SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'


def make_solution(text):
    return CapSolver.Solution.new(Json.from_string(text).get_object())


def example_value(field):
    """A value of the kind of field."""
    kind = field.get_kind()
    if field.is_image() and kind == CapSolver.TaskFieldKind.STRING:
        return b'\x89PNG\r\n\x1a\n' + bytes(64)   # sent as base64
    return {
        CapSolver.TaskFieldKind.STRING: 'value',
        CapSolver.TaskFieldKind.BOOLEAN: True,
        CapSolver.TaskFieldKind.INT: 3,
        CapSolver.TaskFieldKind.DOUBLE: 0.5,
        CapSolver.TaskFieldKind.STRV: ['a', 'b'],
        CapSolver.TaskFieldKind.OBJECT: {'a': 1},
        CapSolver.TaskFieldKind.COOKIES: ['a=b'],
    }[kind]


class PythonicTest(unittest.TestCase):

    def test_sandbox_context_manager(self):
        with CapSolver.Sandbox() as sandbox:
            self.assertTrue(sandbox.is_running())
            self.assertGreater(sandbox.get_port(), 0)
            client = CapSolver.Client(CapSolver.SANDBOX_DEFAULT_KEY,
                                      base_url=sandbox.get_base_url())
            self.assertAlmostEqual(client.get_balance().get_amount(), 100.0)
        self.assertFalse(sandbox.is_running())

    def test_sandbox_stops_on_exception(self):
        with self.assertRaises(ZeroDivisionError):
            with CapSolver.Sandbox() as sandbox:
                1 / 0
        self.assertFalse(sandbox.is_running())

    def test_task_to_dict(self):
        task = CapSolver.ReCaptchaV2Task(website_url=PAGE, website_key=SITE_KEY,
                                         enterprisePayload={'s': 'abc'})
        expected = {'type': 'ReCaptchaV2TaskProxyLess', 'websiteURL': PAGE,
                    'websiteKey': SITE_KEY, 'enterprisePayload': {'s': 'abc'}}
        self.assertEqual(dict(task), expected)
        self.assertEqual(task.to_dict(), expected)
        self.assertEqual(task['type'], 'ReCaptchaV2TaskProxyLess')
        self.assertEqual(len(task), 4)
        self.assertIn('type', task)

    def test_task_and_solution_are_mappings(self):
        task = CapSolver.ReCaptchaV2Task(website_url='https://example.com', website_key='k')
        self.assertIsInstance(task, collections.abc.Mapping)
        self.assertEqual(set(task.keys()), {'type', 'websiteURL', 'websiteKey'})
        self.assertIn(('websiteKey', 'k'), task.items())
        self.assertIn('k', task.values())
        self.assertEqual(task.get('websiteKey'), 'k')
        self.assertIsNone(task.get('pageAction'))
        solution = make_solution('{"text": "abc"}')
        self.assertIsInstance(solution, collections.abc.Mapping)
        self.assertEqual(list(solution.keys()), ['text'])
        self.assertEqual(dict(solution.items()), {'text': 'abc'})

    def test_typo_keyword_did_you_mean(self):
        with self.assertRaises(TypeError) as raised:
            CapSolver.ReCaptchaV2Task(website_url=PAGE, website_key=SITE_KEY, isInvisble=True)
        message = str(raised.exception)
        self.assertIn("'isInvisble'", message)
        self.assertIn('did you mean isInvisible?', message)
        # A misspelt property gets the property.
        with self.assertRaisesRegex(TypeError, 'did you mean website_url[?]'):
            CapSolver.ReCaptchaV2Task(websit_url=PAGE, website_key=SITE_KEY)
        # The same rule as the command's: nothing close, no suggestion.
        with self.assertRaises(TypeError) as raised:
            CapSolver.TurnstileTask(website_url=PAGE, website_key=SITE_KEY, zzzzzz=1)
        self.assertNotIn('did you mean', str(raised.exception))
        self.assertIn('AntiTurnstileTaskProxyLess', str(raised.exception))

    def test_keywords_of_every_typed_task(self):
        # Every field and every property of every type is still a keyword;
        # the generic Task takes any field.
        for task_type in CapSolver.TaskType.get_all():
            klass = getattr(CapSolver, task_type.get_task_gtype().name[len('Cs'):])
            if klass is CapSolver.Task:
                continue
            for field in task_type.get_fields():
                member = field.get_member()
                task = klass(**{member: example_value(field)})
                self.assertIn(member.split('.')[0], dict(task), member)
        task = CapSolver.Task('ReCaptchaV2TaskProxyLess', isInvisble=True)
        self.assertEqual(task['isInvisble'], True)

    def test_solution_to_dict(self):
        solution = make_solution('{"text": "K7WP3R", "n": 3}')
        self.assertEqual(dict(solution), {'text': 'K7WP3R', 'n': 3})
        self.assertEqual(solution.to_dict(), {'text': 'K7WP3R', 'n': 3})

    def test_getters_return_values(self):
        solution = make_solution('{"n": 3, "x": 2.5, "b": true, "distance": 12.5, '
                                 '"angle": 90, "box": [1, 2, 3, 4], "objects": [0, 2]}')
        self.assertEqual(solution.get_int('n'), 3)
        self.assertEqual(solution.get_double('x'), 2.5)
        self.assertIs(solution.get_boolean('b'), True)
        self.assertEqual(solution.get_distance(), 12.5)
        self.assertEqual(solution.get_angle(), 90.0)
        self.assertEqual(solution.get_box(), [1.0, 2.0, 3.0, 4.0])
        self.assertEqual(solution.get_objects(), [0, 2])
        self.assertIsNone(solution.get_int('missing'))
        self.assertIsNone(solution.get_boolean('n'))

    def test_proxy_parse_error(self):
        with self.assertRaises(CapSolver.Error) as raised:
            CapSolver.Proxy.new_from_string('socks5:proxy.example.com')
        self.assertIsInstance(raised.exception, CapSolver.ProxyError)
        self.assertIsInstance(raised.exception, ValueError)
        self.assertTrue(raised.exception.message)
        proxy = CapSolver.Proxy.new_from_string('socks5:proxy.example.com:1080')
        self.assertEqual(proxy.get_port(), 1080)


if __name__ == '__main__':
    unittest.main(verbosity=2)
