# CapSolver.py: the PyGObject override of capsolver-glib
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pythonic additions to the CapSolver GObject API.

Nothing of the introspected API is removed; this module adds:

* ``CapSolver.Task`` and every typed task take keyword arguments named
  after the API's own fields (``websiteURL=…``, ``isInvisible=True``,
  ``metadata={…}``) as well as their GObject properties
  (``website_url=…``); a typed task raises ``TypeError`` ("did you mean
  isInvisible?") for a keyword that is neither; ``task["websiteURL"]`` reads and writes a field,
  ``task["metadata.action"]`` member ``action`` of the object ``metadata``.
* ``CapSolver.Solution`` reads like a read-only ``dict`` over the raw JSON
  the service sent: ``solution["gRecaptchaResponse"]``, ``dict(solution)``.
* ``CapSolver.Task`` reads like a ``dict`` too: ``dict(task)`` is the task
  object as it is sent, ``"type"`` included.
* ``CapSolver.Client(api_key)`` takes the key as its first argument, and
  every ``*_async`` method of the client called without a callback returns
  an awaitable inside a running asyncio loop:
  ``solution = await client.solve_async(task)``. Outside one, leaving the
  callback out raises ``TypeError`` (the call would otherwise run and bill
  with nobody to read its result).
* ``with CapSolver.Sandbox() as sandbox:`` starts a sandbox on a free port
  and stops it at the end of the block.
* The solution getters that fill an out argument (``get_int``,
  ``get_double``, ``get_boolean``, ``get_distance``, ``get_angle``) return
  the value, or ``None`` when the field is absent or of another type.
* ``CapSolver.ProxyError`` (a ``CapSolver.Error`` and a ``ValueError``) is
  raised for a proxy that cannot be parsed.
* ``CapSolver.Error`` is the exception every call raises for an error of the
  CapSolver domain. It is a ``GLib.Error`` (``except GLib.Error`` and
  ``e.matches(CapSolver.error_quark(), …)`` keep working) that also carries
  the wire code text (``e.error_code == "ERROR_ZERO_BALANCE"``), and its
  class attributes are the error codes: ``e.code == CapSolver.Error.ZERO_BALANCE``.
  The registered enumeration itself is ``CapSolver.Error.Code``.
"""

import asyncio
import base64
import collections.abc
import json
import weakref

from .._gi import Direction, ObjectInfo, Repository
from ..module import get_introspection_module
from ..overrides import override
from gi.repository import Gio, GLib, GObject, Json

CapSolver = get_introspection_module('CapSolver')

__all__ = []

_DOMAIN = GLib.quark_to_string(CapSolver.error_quark())
_ErrorCode = CapSolver.Error


# --- Errors ------------------------------------------------------------------

class Error(GLib.Error):
    """An error of the CapSolver domain (``CS_ERROR``).

    ``code`` is a ``CapSolver.Error.Code`` value, also reachable as
    ``CapSolver.Error.ZERO_BALANCE`` and so on; ``error_code`` is the code
    text the service sent, ``description`` the rest of the message.
    """

    Code = _ErrorCode

    def __init__(self, message='unknown error', domain=_DOMAIN, code=0):
        super().__init__(message, domain, code)
        if domain == _DOMAIN and code in _ErrorCode.__enum_values__:
            self.code = _ErrorCode.__enum_values__[code]

    @classmethod
    def from_gerror(cls, error):
        """Returns error as a ``CapSolver.Error`` when it is of the CapSolver
        domain, or error itself otherwise."""
        if isinstance(error, cls) or not isinstance(error, GLib.Error):
            return error
        if error.domain != _DOMAIN:
            return error
        return cls(error.message, _DOMAIN, error.code)

    def __repr__(self):
        return 'CapSolver.Error(%r, %r, %d)' % (self.message, self.domain, self.code)

    def _gerror(self):
        return GLib.Error(self.message, _DOMAIN, int(self.code))

    @property
    def error_code(self):
        """The code text, such as ``"ERROR_ZERO_BALANCE"``, as the service
        sent it (also for codes this version does not know), or ``None`` for
        the client's own errors (``PROTOCOL``, ``TIMEOUT``)."""
        return CapSolver.error_get_code_text(self._gerror())

    @property
    def description(self):
        """The message without its leading code text."""
        return CapSolver.error_get_description(self._gerror())

    @property
    def retry_class(self):
        """What a caller can do about this error (``CapSolver.RetryClass``)."""
        return CapSolver.error_code_get_retry_class(self.code)

    @property
    def cooldown(self):
        """Seconds to stop all requests for, for a cooldown error; else 0."""
        return CapSolver.error_get_cooldown(self._gerror())


for _name, _value in vars(_ErrorCode).items():
    if _name.isupper() or _name == '__enum_values__':
        setattr(Error, _name, _value)
# Every function of the enumeration (from_code, to_code, get_retry_class, …).
for _method in _ErrorCode.__info__.get_methods():
    _name = _method.get_name()
    setattr(Error, _name, staticmethod(getattr(_ErrorCode, _name)))

__all__.append('Error')


class ProxyError(Error, ValueError):
    """A proxy that cannot be parsed. ``domain`` and ``code`` stay those of
    the library's error (``G_IO_ERROR_INVALID_ARGUMENT``)."""

    def __repr__(self):
        return 'CapSolver.ProxyError(%r)' % self.message


__all__.append('ProxyError')


def _raising(function, bind):
    """Wraps an introspected callable so that it raises CapSolver.Error."""
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except GLib.Error as error:
            raise Error.from_gerror(error) from None

    call.__name__ = function.__name__
    call.__doc__ = function.__doc__
    return call if bind else staticmethod(call)


def _raise_capsolver_errors(klass):
    """Makes every method of klass that can fail raise CapSolver.Error."""
    for method in klass.__info__.get_methods():
        if method.can_throw_gerror():
            name = method.get_name()
            setattr(klass, name, _raising(getattr(klass, name), method.is_method()))


# --- JSON values ---------------------------------------------------------------

def _node_to_python(node):
    if node is None:
        return None
    return json.loads(Json.to_string(node, False))


def _python_to_node(value):
    if isinstance(value, Json.Node):
        return value
    if isinstance(value, Json.Object):
        return Json.Node.alloc().init_object(value)
    if isinstance(value, Json.Array):
        return Json.Node.alloc().init_array(value)
    return Json.from_string(json.dumps(value))


def _image_text(value):
    if isinstance(value, GLib.Bytes):
        value = value.get_data()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode('ascii')
    return value


# --- Tasks --------------------------------------------------------------------

class _Mapping:
    """What a task and a solution share as mappings over their JSON object
    (registered as collections.abc.Mapping, which a GObject class cannot
    inherit): keys(), items() and values() are views, iteration and length
    follow the members; an object is true even when it has no member."""

    def __iter__(self):
        return iter(self._members())

    def __len__(self):
        return len(self._members())

    def __bool__(self):
        return True

    def keys(self):
        return collections.abc.KeysView(self)

    def items(self):
        return collections.abc.ItemsView(self)

    def values(self):
        return collections.abc.ValuesView(self)

    def get(self, field, default=None):
        return self[field] if field in self else default


class Task(_Mapping, CapSolver.Task):
    """A task; keyword arguments are GObject properties or API fields.

    ``CapSolver.Task("ReCaptchaV2TaskProxyLess", websiteURL=url,
    websiteKey=key)``; ``CapSolver.ReCaptchaV2Task(website_url=url,
    website_key=key, isInvisible=True)``. Bytes given for a field are sent
    as base64, the form the API takes images in. A typed task refuses, with
    ``TypeError`` and a did-you-mean, a keyword that is neither one of its
    properties nor a field of its type; ``CapSolver.Task`` takes any field.
    """

    def __init__(self, type_name=None, **kwargs):
        properties = {}
        fields = {}
        task_type = _task_type_of(type(self))
        for key, value in kwargs.items():
            pspec = self.find_property(key.replace('_', '-'))
            if pspec is None and task_type is not None and task_type.lookup_field(key) is None:
                raise TypeError(_unknown_keyword(type(self), task_type, key))
            if pspec is None:
                fields[key] = value
            elif pspec.value_type == GObject.TYPE_STRING:
                properties[key] = _image_text(value)
            else:
                properties[key] = value
        if type_name is not None:
            properties['type_name'] = type_name
        super().__init__(**properties)
        for key, value in fields.items():
            self[key] = value

    def set_field(self, field, value):
        """Sets the API field named field, with the setter its Python type
        needs; ``None`` removes the field."""
        value = _image_text(value)
        if value is None:
            self.remove_field(field)
        elif isinstance(value, bool):
            self.set_boolean(field, value)
        elif isinstance(value, int):
            self.set_int(field, value)
        elif isinstance(value, float):
            self.set_double(field, value)
        elif isinstance(value, str):
            self.set_string(field, value)
        else:
            self.set_json(field, _python_to_node(value))

    def update(self, fields=(), **kwargs):
        """Sets several API fields, like ``dict.update``."""
        for key, value in dict(fields, **kwargs).items():
            self.set_field(key, value)

    def __setitem__(self, field, value):
        self.set_field(field, value)

    def __getitem__(self, field):
        node = self.get_field(field)
        if node is None:
            # "type" and the proxy members are not fields, but are sent.
            json_object = self.to_json()
            if not json_object.has_member(field):
                raise KeyError(field)
            node = json_object.get_member(field)
        return _node_to_python(node)

    def __delitem__(self, field):
        if self.get_field(field) is None:
            raise KeyError(field)
        self.remove_field(field)

    def __contains__(self, field):
        return isinstance(field, str) and (self.get_field(field) is not None or
                                           field in self._members())

    def _members(self):
        """The members of the task object as it is sent (``"type"``, the
        fields, the proxy)."""
        return list(self.to_json().get_members() or [])

    def to_dict(self):
        """The task object as it is sent, as plain Python values."""
        return _node_to_python(Json.Node.alloc().init_object(self.to_json()))


Task = override(Task)
collections.abc.Mapping.register(Task)

_task_types = {}


def _task_type_of(klass):
    """The CapSolver.TaskType of a typed task class, or None for Task (and
    for a class of the program's own that no type of the schema names)."""
    gtype = klass.__gtype__
    if not _task_types:
        for task_type in CapSolver.TaskType.get_all():
            _task_types[task_type.get_task_gtype()] = task_type
    task_type = _task_types.get(gtype)
    return task_type if task_type is not None and gtype != CapSolver.Task.__gtype__ else None


def _unknown_keyword(klass, task_type, key):
    """The message of the TypeError for a keyword that is neither a
    property of klass nor a field of its type: the library's did-you-mean
    (the rule of the capsolver command) over both."""
    names = [p.name.replace('-', '_') for p in klass.list_properties()
             if p.flags & GObject.ParamFlags.WRITABLE]
    names += [f.get_member() for f in task_type.get_fields()]
    suggestion = CapSolver.suggest_name(key, names)
    message = '%s() got an unexpected keyword argument %r: neither a property of the ' \
        'class nor a field of %s' % (klass.__name__, key, task_type.dup_wire_names()[0])
    if suggestion is not None:
        message += '; did you mean %s?' % suggestion
    return message
__all__.append('Task')


# --- Solutions -----------------------------------------------------------------

class Solution(_Mapping, CapSolver.Solution):
    """A solution, also a read-only mapping over the JSON object the service
    sent: ``solution["gRecaptchaResponse"]``, ``"text" in solution``,
    ``dict(solution)``. The typed getters (``get_token()``, …) stay."""

    def __getitem__(self, field):
        json_object = self.get_json()
        if not json_object.has_member(field):
            raise KeyError(field)
        return _node_to_python(json_object.get_member(field))

    def __contains__(self, field):
        return isinstance(field, str) and self.get_json().has_member(field)

    def _members(self):
        return list(self.get_json().get_members() or [])

    def to_dict(self):
        """The whole solution as plain Python values."""
        return dict(self.items())


def _value_or_none(getter):
    """Wraps a getter that returns (found, value) so that it returns value,
    or None when nothing was found."""
    def get(self, *args):
        found, value = getter(self, *args)
        return value if found else None

    get.__name__ = getter.__name__
    get.__doc__ = getter.__doc__
    return get


for _name in ('get_int', 'get_double', 'get_boolean', 'get_distance', 'get_angle'):
    setattr(Solution, _name, _value_or_none(getattr(CapSolver.Solution, _name)))


Solution = override(Solution)
collections.abc.Mapping.register(Solution)
__all__.append('Solution')


# --- asyncio --------------------------------------------------------------------
#
# A GLib asynchronous call completes on the main context that was the
# thread's default when it started. An asyncio application runs no GLib main
# loop, so while such calls are pending the asyncio loop iterates that
# context itself, every few milliseconds, without blocking; callbacks and
# notify::status handlers then run in the asyncio thread. With no call
# pending nothing is scheduled.

class _ContextPump:
    """Iterates one GLib main context from one asyncio loop while calls
    started there are pending."""

    INTERVAL = 0.005

    def __init__(self, loop, context):
        self._loop = loop
        self._context = context
        self._pending = 0
        self._handle = None

    def hold(self):
        self._pending += 1
        if self._handle is None:
            self._handle = self._loop.call_soon(self._tick)

    def release(self):
        self._pending -= 1

    def _tick(self):
        # Dispatches what is ready now, never waiting: the asyncio loop
        # keeps running its own callbacks between ticks.
        for _ in range(100):
            if not self._context.iteration(False):
                break
        if self._pending > 0 and not self._loop.is_closed():
            self._handle = self._loop.call_later(self.INTERVAL, self._tick)
        else:
            self._handle = None


_pumps = weakref.WeakKeyDictionary()


def _pump_for(loop):
    context = GLib.MainContext.ref_thread_default()
    # Boxed wrappers differ, but compare (and hash) by the GMainContext.
    pumps = _pumps.setdefault(loop, {})
    if context not in pumps:
        pumps[context] = _ContextPump(loop, context)
    return pumps[context]


def _start_awaitable(loop, start, finish, args, user_cancellable):
    """Starts start(*args, cancellable, callback) and returns a future of
    finish(result). Cancelling the future cancels the GLib operation."""
    future = loop.create_future()
    cancellable = Gio.Cancellable()
    pump = _pump_for(loop)
    forward = None
    if user_cancellable is not None:
        # g_cancellable_connect(): also runs at once if already cancelled.
        forward = user_cancellable.connect(lambda *_: cancellable.cancel())

    def done(_source, result):
        pump.release()
        if forward is not None:
            user_cancellable.disconnect(forward)
        try:
            value = finish(result)
        except Exception as error:  # noqa: BLE001 - handed to the awaiter
            settle(future.set_exception, error)
        else:
            settle(future.set_result, value)

    def settle(setter, outcome):
        # Nobody awaits a cancelled future, nor one of a closed loop.
        if not future.done() and not loop.is_closed():
            setter(outcome)

    def cancelled(fut):
        if fut.cancelled():
            cancellable.cancel()

    future.add_done_callback(cancelled)
    pump.hold()
    start(*args, cancellable, done)
    return future


def _awaitable(method, name, parameters):
    """Wraps the introspected method name (an ``*_async`` one whose
    Python parameters are parameters, ending with cancellable, callback,
    user_data) so that it returns an awaitable when called without a
    callback."""
    callback_index = parameters.index('callback')
    inputs = parameters[:callback_index]
    finish_name = name[:-len('_async')] + '_finish'

    def call(self, *args, **kwargs):
        if 'callback' in kwargs or len(args) > callback_index:
            return method(self, *args, **kwargs)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise TypeError('%s() without a callback returns an awaitable, which needs a '
                            'running asyncio loop: await it in a coroutine, or pass a '
                            'callback' % name) from None
        unknown = set(kwargs) - set(inputs)
        if unknown:
            raise TypeError('%s() got unexpected keyword arguments %s' % (name, sorted(unknown)))
        values = dict(zip(inputs, args), **kwargs)
        missing = [p for p in inputs if p != 'cancellable' and p not in values]
        if missing:
            raise TypeError('%s() missing arguments %s' % (name, missing))
        return _start_awaitable(
            loop, lambda *a: method(self, *a), getattr(self, finish_name),
            [values[p] for p in inputs if p != 'cancellable'], values.get('cancellable'))

    call.__name__ = name
    call.__doc__ = '%s\n\nWithout a callback, inside a running asyncio loop: returns an ' \
        'awaitable of the %s() result.' % (method.__doc__, finish_name)
    return call


def _make_awaitable(klass):
    """Makes every ``*_async`` method of klass that has a ``*_finish``
    awaitable."""
    info = klass.__info__
    for method in info.get_methods():
        name = method.get_name()
        if not name.endswith('_async') or info.find_method(name[:-6] + '_finish') is None:
            continue
        # methods only: a static one (Client.new_from_environment_async)
        # keeps its callback form, as in the stub and in GJS
        if not method.is_method():
            continue
        parameters = [a.get_name() for a in method.get_arguments()
                      if a.get_direction() != Direction.OUT]
        if 'callback' not in parameters or 'cancellable' not in parameters:
            continue
        setattr(klass, name, _awaitable(getattr(klass, name), name, parameters))


# --- The client ----------------------------------------------------------------

class Client(CapSolver.Client):
    """The CapSolver client: ``CapSolver.Client(api_key, base_url=…)``.

    ``await client.solve_async(task)`` (and every other ``*_async``
    method, called without a callback) in a running asyncio loop."""

    def __init__(self, api_key=None, **kwargs):
        if api_key is not None:
            kwargs['api_key'] = api_key
        super().__init__(**kwargs)


Client = override(Client)
__all__.append('Client')


# --- The sandbox ---------------------------------------------------------------

class Sandbox(CapSolver.Sandbox):
    """The local service; ``with CapSolver.Sandbox() as sandbox:`` runs it
    on a free port of 127.0.0.1 for the duration of the block."""

    def __enter__(self):
        if not self.is_running():
            self.start(0)
        return self

    def __exit__(self, *exc_info):
        self.stop()
        return False


Sandbox = override(Sandbox)
__all__.append('Sandbox')


# --- Proxies -------------------------------------------------------------------

class Proxy(CapSolver.Proxy):
    """A proxy for the tasks that take one; ``CapSolver.Proxy.new_from_string``
    raises ``CapSolver.ProxyError`` for text it cannot parse."""

    @staticmethod
    def new_from_string(text):
        try:
            return CapSolver.Proxy.new_from_string(text)
        except GLib.Error as error:
            if isinstance(error, Error):
                raise
            raise ProxyError(error.message, error.domain, error.code) from None


Proxy = override(Proxy)
__all__.append('Proxy')


# Every class whose calls can fail raises CapSolver.Error: those above, and
# an override made here for each of the others (Proxy, Sandbox, …).
for _info in Repository.get_default().get_infos('CapSolver'):
    if not isinstance(_info, ObjectInfo):
        continue
    if not any(m.can_throw_gerror() for m in _info.get_methods()):
        continue
    _name = _info.get_name()
    _class = globals().get(_name)
    if _class is None:
        _class = override(type(_name, (getattr(CapSolver, _name),),
                               {'__module__': __name__}))
        globals()[_name] = _class
        __all__.append(_name)
    _raise_capsolver_errors(_class)

# After the error wrappers, so that awaiting raises CapSolver.Error too.
for _name in __all__:
    _class = globals()[_name]
    if isinstance(_class, type) and issubclass(_class, GObject.Object):
        _make_awaitable(_class)
