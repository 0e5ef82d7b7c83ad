# CapSolver.py: the PyGObject override of capsolver-glib
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pythonic additions to the CapSolver GObject API.

Nothing of the introspected API is removed; this module adds:

* ``CapSolver.Task`` and every typed task take keyword arguments named
  after the API's own fields (``websiteURL=…``, ``isInvisible=True``,
  ``metadata={…}``) as well as their GObject properties
  (``website_url=…``); ``task["websiteURL"]`` reads and writes a field.
* ``CapSolver.Solution`` reads like a read-only ``dict`` over the raw JSON
  the service sent: ``solution["gRecaptchaResponse"]``, ``dict(solution)``.
* ``CapSolver.Client(api_key)`` takes the key as its first argument.
* ``CapSolver.Error`` is the exception every call raises for an error of the
  CapSolver domain. It is a ``GLib.Error`` (``except GLib.Error`` and
  ``e.matches(CapSolver.error_quark(), …)`` keep working) that also carries
  the wire code text (``e.error_code == "ERROR_ZERO_BALANCE"``), and its
  class attributes are the error codes: ``e.code == CapSolver.Error.ZERO_BALANCE``.
  The registered enumeration itself is ``CapSolver.Error.Code``.
"""

import base64
import json

from .._gi import ObjectInfo, Repository
from ..module import get_introspection_module
from ..overrides import override
from gi.repository import GLib, GObject, Json

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
        if code in _ErrorCode.__enum_values__:
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
        code = self.error_code
        if code is not None and self.message.startswith(code + ': '):
            return self.message[len(code) + 2:]
        return self.message

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
for _name in ('from_code', 'to_code', 'quark', 'code_get_retry_class',
              'get_retry_class', 'get_cooldown', 'get_code_text'):
    setattr(Error, _name, staticmethod(getattr(_ErrorCode, _name)))

__all__.append('Error')


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

class Task(CapSolver.Task):
    """A task; keyword arguments are GObject properties or API fields.

    ``CapSolver.Task("ReCaptchaV2TaskProxyLess", websiteURL=url,
    websiteKey=key)``; ``CapSolver.ReCaptchaV2Task(website_url=url,
    website_key=key, isInvisible=True)``. Bytes given for a field are sent
    as base64, the form the API takes images in.
    """

    def __init__(self, type_name=None, **kwargs):
        properties = {}
        fields = {}
        for key, value in kwargs.items():
            pspec = self.find_property(key.replace('_', '-'))
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
            raise KeyError(field)
        return _node_to_python(node)

    def __delitem__(self, field):
        if self.get_field(field) is None:
            raise KeyError(field)
        self.remove_field(field)

    def __contains__(self, field):
        return self.get_field(field) is not None


Task = override(Task)
__all__.append('Task')


# --- Solutions -----------------------------------------------------------------

class Solution(CapSolver.Solution):
    """A solution, also a read-only mapping over the JSON object the service
    sent: ``solution["gRecaptchaResponse"]``, ``"text" in solution``,
    ``dict(solution)``. The typed getters (``get_token()``, …) stay."""

    def __getitem__(self, field):
        json_object = self.get_json()
        if not json_object.has_member(field):
            raise KeyError(field)
        return _node_to_python(json_object.get_member(field))

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())

    def __bool__(self):
        # An object is true even when the service sent no field.
        return True

    def __contains__(self, field):
        return isinstance(field, str) and self.get_json().has_member(field)

    def keys(self):
        return list(self.get_json().get_members() or [])

    def values(self):
        return [self[key] for key in self.keys()]

    def items(self):
        return [(key, self[key]) for key in self.keys()]

    def get(self, field, default=None):
        return self[field] if field in self else default

    def to_dict(self):
        """The whole solution as plain Python values."""
        return dict(self.items())


Solution = override(Solution)
__all__.append('Solution')


# --- The client ----------------------------------------------------------------

class Client(CapSolver.Client):
    """The CapSolver client: ``CapSolver.Client(api_key, base_url=…)``."""

    def __init__(self, api_key=None, **kwargs):
        if api_key is not None:
            kwargs['api_key'] = api_key
        super().__init__(**kwargs)


Client = override(Client)
__all__.append('Client')


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
