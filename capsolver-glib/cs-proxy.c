/* cs-proxy.c: proxies, parsed and serialized
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-private.h"

/**
 * CsProxy:
 *
 * A proxy the service solves a task through: its scheme, host, port and
 * optional login and password. It is immutable.
 *
 * [ctor@Proxy.new_from_string] reads every syntax CapSolver accepts:
 *
 * - `scheme:host:port:login:password` and `scheme:host:port`
 * - `host:port:login:password` and `host:port` (HTTP)
 * - `scheme://login:password@host:port` and `scheme://host:port`, where the
 *   login and password may be percent-encoded
 *
 * The password never appears in [method@Proxy.to_string], so a proxy can
 * be logged; [method@Proxy.to_task_string] writes the real `proxy` field.
 *
 * Since: 1.0
 */

struct _CsProxy
{
  GObject        parent_instance;

  CsProxyScheme  scheme;
  char          *host;
  guint          port;
  char          *login;
  char          *password;
};

G_DEFINE_FINAL_TYPE (CsProxy, cs_proxy, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SCHEME,
  PROP_HOST,
  PROP_PORT,
  PROP_LOGIN,
  PROP_PASSWORD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const scheme_names[] = {
  [CS_PROXY_SCHEME_HTTP] = "http",
  [CS_PROXY_SCHEME_HTTPS] = "https",
  [CS_PROXY_SCHEME_SOCKS4] = "socks4",
  [CS_PROXY_SCHEME_SOCKS5] = "socks5",
};

static void
proxy_finalize (GObject *object)
{
  CsProxy *self = CS_PROXY (object);

  g_free (self->host);
  g_free (self->login);
  g_free (self->password);

  G_OBJECT_CLASS (cs_proxy_parent_class)->finalize (object);
}

static void
proxy_get_property (GObject    *object,
                    guint       prop_id,
                    GValue     *value,
                    GParamSpec *pspec)
{
  CsProxy *self = CS_PROXY (object);

  switch (prop_id)
    {
    case PROP_SCHEME:
      g_value_set_enum (value, self->scheme);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_LOGIN:
      g_value_set_string (value, self->login);
      break;
    case PROP_PASSWORD:
      g_value_set_string (value, self->password);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* An empty login or password is no login or password. */
static char *
dup_nonempty (const GValue *value)
{
  const char *text = g_value_get_string (value);

  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

static void
proxy_set_property (GObject      *object,
                    guint         prop_id,
                    const GValue *value,
                    GParamSpec   *pspec)
{
  CsProxy *self = CS_PROXY (object);

  switch (prop_id)
    {
    case PROP_SCHEME:
      self->scheme = g_value_get_enum (value);
      break;
    case PROP_HOST:
      g_free (self->host);
      self->host = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_LOGIN:
      g_free (self->login);
      self->login = dup_nonempty (value);
      break;
    case PROP_PASSWORD:
      g_free (self->password);
      self->password = dup_nonempty (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_proxy_class_init (CsProxyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = proxy_finalize;
  object_class->get_property = proxy_get_property;
  object_class->set_property = proxy_set_property;

  /**
   * CsProxy:scheme: (getter get_scheme)
   *
   * The kind of proxy.
   *
   * Since: 1.0
   */
  properties[PROP_SCHEME] =
    g_param_spec_enum ("scheme", NULL, NULL, CS_TYPE_PROXY_SCHEME, CS_PROXY_SCHEME_HTTP, flags);

  /**
   * CsProxy:host: (getter get_host)
   *
   * The host name or IP address of the proxy.
   *
   * Since: 1.0
   */
  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, flags);

  /**
   * CsProxy:port: (getter get_port)
   *
   * The port of the proxy, from 1 to 65535.
   *
   * Since: 1.0
   */
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0, flags);

  /**
   * CsProxy:login: (getter get_login)
   *
   * The login, or %NULL for a proxy that authorises by IP address.
   *
   * Since: 1.0
   */
  properties[PROP_LOGIN] = g_param_spec_string ("login", NULL, NULL, NULL, flags);

  /**
   * CsProxy:password: (getter get_password)
   *
   * The password, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_PASSWORD] = g_param_spec_string ("password", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_proxy_init (CsProxy *self)
{
}

/**
 * cs_proxy_new:
 * @scheme: the kind of proxy
 * @host: the host name or IP address
 * @port: the port, from 1 to 65535
 * @login: (nullable): the login, or %NULL
 * @password: (nullable): the password, or %NULL
 *
 * Creates a proxy from its parts. They must make a proxy that
 * [method@Proxy.to_task_string] can write and [ctor@Proxy.new_from_string]
 * reads back: a host without spaces or any of `/@?#[]` (an IPv6 address
 * without brackets), a port from 1 to 65535, and a login and a password
 * together or neither (an empty one is none). Anything else is a
 * programming error, reported with a critical warning and %NULL; read
 * proxies that people write with [ctor@Proxy.new_from_string], which
 * reports them as errors.
 *
 * Returns: (transfer full): a new [class@Proxy]
 *
 * Since: 1.0
 */
CsProxy *
cs_proxy_new (CsProxyScheme  scheme,
              const char    *host,
              guint          port,
              const char    *login,
              const char    *password)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (scheme <= CS_PROXY_SCHEME_SOCKS5, NULL);
  g_return_val_if_fail (host != NULL, NULL);

  /* a programming error, as a NULL host is: text from people goes
   * through cs_proxy_new_from_string(), which reports it */
  if (!_cs_proxy_check_parts (host, port, login, password, &error))
    {
      g_critical ("%s: %s", G_STRFUNC, error->message);
      return NULL;
    }

  return g_object_new (CS_TYPE_PROXY,
                       "scheme", scheme,
                       "host", host,
                       "port", port,
                       "login", login,
                       "password", password,
                       NULL);
}

/* --- Parsing ------------------------------------------------------------ */

/* What the parser found; the strings point into a copy of the input. */
typedef struct {
  CsProxyScheme  scheme;
  char          *host;
  char          *port;
  char          *login;
  char          *password;
} ProxyParts;

static gboolean
parse_error (GError     **error,
             const char  *reason)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid proxy: %s", reason);
  return FALSE;
}

static gboolean
scheme_from_string (const char    *text,
                    gsize          length,
                    CsProxyScheme *scheme)
{
  for (gsize i = 0; i < G_N_ELEMENTS (scheme_names); i++)
    if (strlen (scheme_names[i]) == length &&
        g_ascii_strncasecmp (text, scheme_names[i], length) == 0)
      {
        *scheme = i;
        return TRUE;
      }
  return FALSE;
}

/* Splits "host:port" or "[v6]:port" at the colon that ends the host; the
 * rest (after the port) stays in *rest, NULL if there is none. */
static gboolean
split_host_port (char     *text,
                 char    **host,
                 char    **port,
                 char    **rest,
                 GError  **error)
{
  char *colon;

  if (*text == '[')
    {
      char *end = strchr (text, ']');

      if (end == NULL || end[1] != ':')
        return parse_error (error, "unterminated IPv6 address");
      *host = text + 1;
      *end = '\0';
      colon = end + 1;
    }
  else
    {
      colon = strchr (text, ':');
      if (colon == NULL)
        return parse_error (error, "no port");
      *host = text;
    }
  *colon = '\0';
  *port = colon + 1;
  *rest = strchr (*port, ':');
  if (*rest != NULL)
    *(*rest)++ = '\0';
  return TRUE;
}

/* scheme:host:port[:login:password], the scheme optional. The password is
 * everything after the fourth field, so it may contain ':' and '@'. */
static gboolean
parse_colon_form (char        *text,
                  ProxyParts  *parts,
                  GError     **error)
{
  char *colon = strchr (text, ':');
  char *rest;

  if (colon != NULL && scheme_from_string (text, colon - text, &parts->scheme))
    text = colon + 1;
  if (!split_host_port (text, &parts->host, &parts->port, &rest, error))
    return FALSE;
  if (rest == NULL)
    return TRUE;

  colon = strchr (rest, ':');
  if (colon == NULL)
    return parse_error (error, "a login without a password");
  *colon = '\0';
  parts->login = rest;
  parts->password = colon + 1;
  return TRUE;
}

static gboolean
unescape_in_place (char        *text,
                   const char  *what,
                   GError     **error)
{
  g_autofree char *plain = g_uri_unescape_string (text, NULL);

  if (plain == NULL || !g_utf8_validate (plain, -1, NULL))
    {
      g_autofree char *reason = g_strdup_printf (plain == NULL ? "bad percent-encoding in the %s"
                                                               : "the %s is not valid UTF-8",
                                                 what);

      return parse_error (error, reason);
    }
  /* decoding never makes a string longer */
  strcpy (text, plain);
  return TRUE;
}

/* scheme://[login:password@]host:port[/]. The last '@' ends the user
 * information, so an unencoded '@' in the password is still read right. */
static gboolean
parse_url_form (char        *text,
                char        *separator,
                ProxyParts  *parts,
                GError     **error)
{
  char *authority = separator + strlen ("://");
  char *at;
  char *rest;
  gsize length;

  if (!scheme_from_string (text, separator - text, &parts->scheme))
    return parse_error (error, "unknown scheme (use http, https, socks4 or socks5)");

  length = strlen (authority);
  if (length > 0 && authority[length - 1] == '/')
    authority[length - 1] = '\0';

  at = strrchr (authority, '@');
  if (at != NULL)
    {
      char *colon;

      *at = '\0';
      colon = strchr (authority, ':');
      if (colon == NULL)
        return parse_error (error, "a login without a password");
      *colon = '\0';
      parts->login = authority;
      parts->password = colon + 1;
      if (!unescape_in_place (parts->login, "login", error) ||
          !unescape_in_place (parts->password, "password", error))
        return FALSE;
      authority = at + 1;
    }

  if (!split_host_port (authority, &parts->host, &parts->port, &rest, error))
    return FALSE;
  if (rest != NULL || strchr (parts->port, '/') != NULL)
    return parse_error (error, "unexpected text after the port");
  return TRUE;
}

static gboolean
parse_port (const char  *text,
            guint       *port,
            GError     **error)
{
  guint64 value = 0;

  if (*text == '\0')
    return parse_error (error, "no port");
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return parse_error (error, "the port is not a number");
      value = value * 10 + (*p - '0');
      if (value > 65535)
        return parse_error (error, "the port is out of range (1-65535)");
    }
  if (value == 0)
    return parse_error (error, "the port is out of range (1-65535)");
  *port = value;
  return TRUE;
}

static gboolean
check_host (const char  *host,
            GError     **error)
{
  if (host == NULL || *host == '\0')
    return parse_error (error, "no host");
  if (*host == '[')
    return parse_error (error, "the host is an IPv6 address in brackets: give it without them");
  for (const char *p = host; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p) || strchr ("/@?#[]", *p) != NULL)
      return parse_error (error, "the host contains a character a host name cannot have");
  /* a colon belongs to an IPv6 address only: anything else written in
   * brackets would be no host at all */
  if (strchr (host, ':') != NULL && !g_hostname_is_ip_address (host))
    return parse_error (error, "the host has a colon but is no IPv6 address");
  return TRUE;
}

/* The one rule of what a proxy may be: what its task string can carry and
 * the parser reads back to the same proxy. cs_proxy_new(),
 * cs_proxy_new_from_string() and cs_task_validate() keep it. An empty
 * login or password is none. */
gboolean
_cs_proxy_check_parts (const char  *host,
                       guint        port,
                       const char  *login,
                       const char  *password,
                       GError     **error)
{
  gboolean has_login = login != NULL && *login != '\0';
  gboolean has_password = password != NULL && *password != '\0';

  if (!check_host (host, error))
    return FALSE;
  if (port == 0 || port > 65535)
    return parse_error (error, "the port is out of range (1-65535)");
  if (has_login && !has_password)
    return parse_error (error, "a login without a password");
  if (has_password && !has_login)
    return parse_error (error, "a password without a login");
  return TRUE;
}

/* The same rule for a proxy made with g_object_new(), which
 * cs_proxy_new() did not check. */
gboolean
_cs_proxy_check (CsProxy  *proxy,
                 GError  **error)
{
  return _cs_proxy_check_parts (proxy->host, proxy->port, proxy->login, proxy->password, error);
}

/* "login:password@host:port" without a scheme: the colon form would read
 * the login as the host, so say what is wrong instead. A colon-form
 * password may contain '@', but then three colons come before it. */
static gboolean
looks_like_url_without_scheme (const char *text)
{
  const char *at = strchr (text, '@');
  guint colons = 0;

  if (at == NULL)
    return FALSE;
  for (const char *p = text; p < at; p++)
    colons += *p == ':';
  return colons <= 1;
}

/**
 * cs_proxy_new_from_string:
 * @text: a proxy in one of the syntaxes CapSolver accepts
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Reads a proxy written as `scheme:host:port:login:password`,
 * `host:port[:login:password]` (HTTP) or `scheme://login:password@host:port`
 * (with percent-encoding). The scheme is `http`, `https`, `socks4` or
 * `socks5`. In the colon form the password is everything after the login,
 * so it may contain `:`; in the URL form the user information ends at the
 * last `@`.
 *
 * A text that cannot be read fails with %G_IO_ERROR_INVALID_ARGUMENT and a
 * message that gives the reason but never repeats the text, which may hold
 * a password.
 *
 * Returns: (transfer full): a new [class@Proxy], or %NULL with @error set
 *
 * Since: 1.0
 */
CsProxy *
cs_proxy_new_from_string (const char  *text,
                          GError     **error)
{
  g_autofree char *copy = NULL;
  ProxyParts parts = { CS_PROXY_SCHEME_HTTP, NULL, NULL, NULL, NULL };
  char *separator;
  gboolean parsed;
  guint port = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    {
      parse_error (error, "not valid UTF-8");
      return NULL;
    }
  copy = g_strstrip (g_strdup (text));
  if (*copy == '\0')
    {
      parse_error (error, "empty text");
      return NULL;
    }

  separator = strstr (copy, "://");
  if (separator != NULL)
    parsed = parse_url_form (copy, separator, &parts, error);
  else if (looks_like_url_without_scheme (copy))
    parsed = parse_error (error, "credentials before the host need the URL form, "
                                 "scheme://login:password@host:port");
  else
    parsed = parse_colon_form (copy, &parts, error);

  if (!parsed ||
      !check_host (parts.host, error) ||
      !parse_port (parts.port, &port, error) ||
      !_cs_proxy_check_parts (parts.host, port, parts.login, parts.password, error))
    return NULL;

  return cs_proxy_new (parts.scheme, parts.host, port, parts.login, parts.password);
}

/* --- Accessors ------------------------------------------------------------ */

/**
 * cs_proxy_get_scheme: (get-property scheme)
 * @proxy: a [class@Proxy]
 *
 * Gets the kind of proxy.
 *
 * Returns: the scheme
 *
 * Since: 1.0
 */
CsProxyScheme
cs_proxy_get_scheme (CsProxy *proxy)
{
  g_return_val_if_fail (CS_IS_PROXY (proxy), CS_PROXY_SCHEME_HTTP);

  return proxy->scheme;
}

/**
 * cs_proxy_get_host: (get-property host)
 * @proxy: a [class@Proxy]
 *
 * Gets the host name or IP address of the proxy.
 *
 * Returns: (nullable): the host, or %NULL for a proxy built without one
 *
 * Since: 1.0
 */
const char *
cs_proxy_get_host (CsProxy *proxy)
{
  g_return_val_if_fail (CS_IS_PROXY (proxy), NULL);

  return proxy->host;
}

/**
 * cs_proxy_get_port: (get-property port)
 * @proxy: a [class@Proxy]
 *
 * Gets the port of the proxy.
 *
 * Returns: the port
 *
 * Since: 1.0
 */
guint
cs_proxy_get_port (CsProxy *proxy)
{
  g_return_val_if_fail (CS_IS_PROXY (proxy), 0);

  return proxy->port;
}

/**
 * cs_proxy_get_login: (get-property login)
 * @proxy: a [class@Proxy]
 *
 * Gets the login.
 *
 * Returns: (nullable): the login, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_proxy_get_login (CsProxy *proxy)
{
  g_return_val_if_fail (CS_IS_PROXY (proxy), NULL);

  return proxy->login;
}

/**
 * cs_proxy_get_password: (get-property password)
 * @proxy: a [class@Proxy]
 *
 * Gets the password.
 *
 * Returns: (nullable): the password, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_proxy_get_password (CsProxy *proxy)
{
  g_return_val_if_fail (CS_IS_PROXY (proxy), NULL);

  return proxy->password;
}

/* --- Writing -------------------------------------------------------------- */

const char *
_cs_proxy_scheme_to_string (CsProxyScheme scheme)
{
  if ((guint) scheme < G_N_ELEMENTS (scheme_names))
    return scheme_names[scheme];
  return scheme_names[CS_PROXY_SCHEME_HTTP];
}

/* A proxy built with g_object_new() (or CapSolver.Proxy() in a binding)
 * may lack its host: never dereference it unchecked. */
static const char *
host_or_empty (CsProxy *proxy)
{
  return proxy->host != NULL ? proxy->host : "";
}

static gboolean
host_is_ipv6 (CsProxy *proxy)
{
  return strchr (host_or_empty (proxy), ':') != NULL;
}

/* scheme://[login:password@]host:port, with the password as given (NULL:
 * the real one, percent-encoded). */
static char *
format_url (CsProxy    *proxy,
            const char *shown_password)
{
  GString *url = g_string_new (_cs_proxy_scheme_to_string (proxy->scheme));

  g_string_append (url, "://");
  if (proxy->login != NULL)
    {
      g_string_append_uri_escaped (url, proxy->login, NULL, FALSE);
      g_string_append_c (url, ':');
      if (shown_password != NULL)
        g_string_append (url, shown_password);
      else if (proxy->password != NULL)
        g_string_append_uri_escaped (url, proxy->password, NULL, FALSE);
      g_string_append_c (url, '@');
    }
  if (host_is_ipv6 (proxy))
    g_string_append_printf (url, "[%s]:%u", proxy->host, proxy->port);
  else
    g_string_append_printf (url, "%s:%u", host_or_empty (proxy), proxy->port);
  return g_string_free (url, FALSE);
}

/**
 * cs_proxy_to_string:
 * @proxy: a [class@Proxy]
 *
 * Writes the proxy for people and logs, as
 * `scheme://login:***@host:port`: the password is never shown.
 *
 * Returns: (transfer full): the proxy, without its password
 *
 * Since: 1.0
 */
char *
cs_proxy_to_string (CsProxy *proxy)
{
  g_return_val_if_fail (CS_IS_PROXY (proxy), NULL);

  return format_url (proxy, "***");
}

static gboolean
same_proxy (CsProxy *a,
            CsProxy *b)
{
  return a->scheme == b->scheme && a->port == b->port &&
         g_strcmp0 (a->host, b->host) == 0 &&
         g_strcmp0 (a->login, b->login) == 0 &&
         g_strcmp0 (a->password, b->password) == 0;
}

static gboolean
needs_url_form (const char *text)
{
  return text != NULL && strpbrk (text, ":@") != NULL;
}

/* scheme:host:port[:login:password], or NULL where the service could
 * misread it (':' or '@' in the credentials, an IPv6 host) or where it
 * would not read back as @proxy ("//" after a colon, spaces at the
 * ends...). */
static char *
format_colon_form (CsProxy *proxy)
{
  const char *scheme = _cs_proxy_scheme_to_string (proxy->scheme);
  g_autofree char *text = NULL;
  g_autoptr(CsProxy) again = NULL;

  if (needs_url_form (proxy->login) || needs_url_form (proxy->password) || host_is_ipv6 (proxy))
    return NULL;
  if (proxy->login == NULL)
    text = g_strdup_printf ("%s:%s:%u", scheme, host_or_empty (proxy), proxy->port);
  else
    text = g_strdup_printf ("%s:%s:%u:%s:%s", scheme, host_or_empty (proxy), proxy->port,
                            proxy->login, proxy->password != NULL ? proxy->password : "");
  again = cs_proxy_new_from_string (text, NULL);
  return again != NULL && same_proxy (proxy, again) ? g_steal_pointer (&text) : NULL;
}

/**
 * cs_proxy_to_task_string:
 * @proxy: a [class@Proxy]
 *
 * Writes the `proxy` field of a task: `scheme:host:port[:login:password]`,
 * or the URL form `scheme://login:password@host:port` with percent-encoding
 * when the login or the password contains `:` or `@` (or the host is an
 * IPv6 address), where the colon form would be ambiguous, and whenever the
 * colon form would not read back the same (a `//` in the password, spaces
 * at its ends). [ctor@Proxy.new_from_string] reads the result back to the
 * same proxy, for any login and password given together.
 *
 * The result holds the password: do not log it.
 *
 * Returns: (transfer full): the `proxy` field
 *
 * Since: 1.0
 */
char *
cs_proxy_to_task_string (CsProxy *proxy)
{
  char *text;

  g_return_val_if_fail (CS_IS_PROXY (proxy), NULL);

  text = format_colon_form (proxy);
  return text != NULL ? text : format_url (proxy, NULL);
}

/* Whether every part of @proxy is UTF-8: cs_proxy_new() takes any bytes,
 * and the URL form would percent-encode the invalid ones into a proxy the
 * service cannot read. */
gboolean
_cs_proxy_is_utf8 (CsProxy *proxy)
{
  return (proxy->host == NULL || g_utf8_validate (proxy->host, -1, NULL)) &&
         (proxy->login == NULL || g_utf8_validate (proxy->login, -1, NULL)) &&
         (proxy->password == NULL || g_utf8_validate (proxy->password, -1, NULL));
}

static void
set_optional_string (JsonObject *object,
                     const char *member,
                     const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
}

/* Writes the proxy into a task object, in the form the task asks for. A
 * proxy without a host or a port (made with g_object_new()) writes
 * nothing, so that validation reports the proxy missing. */
void
_cs_proxy_write_fields (CsProxy       *proxy,
                        CsProxyFormat  format,
                        JsonObject    *task_json)
{
  if (proxy->host == NULL || *proxy->host == '\0' || proxy->port == 0)
    return;
  if (format == CS_PROXY_FORMAT_FIELDS)
    {
      json_object_set_string_member (task_json, "proxyType",
                                     _cs_proxy_scheme_to_string (proxy->scheme));
      json_object_set_string_member (task_json, "proxyAddress", proxy->host);
      json_object_set_int_member (task_json, "proxyPort", proxy->port);
      set_optional_string (task_json, "proxyLogin", proxy->login);
      set_optional_string (task_json, "proxyPassword", proxy->password);
    }
  else
    {
      g_autofree char *text = cs_proxy_to_task_string (proxy);

      json_object_set_string_member (task_json, "proxy", text);
    }
}
