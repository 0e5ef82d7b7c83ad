/* test-proxy.c: reading and writing proxies
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "mock-server.h"
#include "proxy-round-trip.h"

typedef struct {
  const char    *text;
  CsProxyScheme  scheme;
  const char    *host;
  guint          port;
  const char    *login;
  const char    *password;
  const char    *task_string;  /* what to_task_string() writes back */
} ParseCase;

static const ParseCase parse_cases[] = {
  /* colon form, with and without a scheme and credentials */
  { "socks5:192.191.100.10:4780:user:pwd", CS_PROXY_SCHEME_SOCKS5, "192.191.100.10", 4780,
    "user", "pwd", "socks5:192.191.100.10:4780:user:pwd" },
  { "http:192.191.100.10:4780:user:pwd", CS_PROXY_SCHEME_HTTP, "192.191.100.10", 4780,
    "user", "pwd", "http:192.191.100.10:4780:user:pwd" },
  { "192.191.100.10:4780:user:pwd", CS_PROXY_SCHEME_HTTP, "192.191.100.10", 4780,
    "user", "pwd", "http:192.191.100.10:4780:user:pwd" },
  { "192.191.100.10:4780", CS_PROXY_SCHEME_HTTP, "192.191.100.10", 4780,
    NULL, NULL, "http:192.191.100.10:4780" },
  { "HTTPS:proxy.example.net:3128", CS_PROXY_SCHEME_HTTPS, "proxy.example.net", 3128,
    NULL, NULL, "https:proxy.example.net:3128" },
  { "socks4:10.0.0.1:1080", CS_PROXY_SCHEME_SOCKS4, "10.0.0.1", 1080,
    NULL, NULL, "socks4:10.0.0.1:1080" },
  /* URL form */
  { "http://user:pwd@192.191.100.10:4780", CS_PROXY_SCHEME_HTTP, "192.191.100.10", 4780,
    "user", "pwd", "http:192.191.100.10:4780:user:pwd" },
  { "socks5://user:pwd@192.191.100.10:4780/", CS_PROXY_SCHEME_SOCKS5, "192.191.100.10", 4780,
    "user", "pwd", "socks5:192.191.100.10:4780:user:pwd" },
  { "socks5://proxy.example.net:1080", CS_PROXY_SCHEME_SOCKS5, "proxy.example.net", 1080,
    NULL, NULL, "socks5:proxy.example.net:1080" },
  { "  http://[2001:db8::1]:8080  ", CS_PROXY_SCHEME_HTTP, "2001:db8::1", 8080,
    NULL, NULL, "http://[2001:db8::1]:8080" },
  /* passwords with ':' and '@': the colon form keeps everything after the
   * login, the URL form ends the credentials at the last '@' and decodes
   * percent-encoding; writing back uses the URL form */
  { "http:1.2.3.4:8080:user:pa:ss", CS_PROXY_SCHEME_HTTP, "1.2.3.4", 8080,
    "user", "pa:ss", "http://user:pa%3Ass@1.2.3.4:8080" },
  { "http:1.2.3.4:8080:user:p@ss", CS_PROXY_SCHEME_HTTP, "1.2.3.4", 8080,
    "user", "p@ss", "http://user:p%40ss@1.2.3.4:8080" },
  { "socks5://user:p@ss:w@1.2.3.4:1080", CS_PROXY_SCHEME_SOCKS5, "1.2.3.4", 1080,
    "user", "p@ss:w", "socks5://user:p%40ss%3Aw@1.2.3.4:1080" },
  { "socks5://us%40er:p%3A%40%25s@1.2.3.4:1080", CS_PROXY_SCHEME_SOCKS5, "1.2.3.4", 1080,
    "us@er", "p:@%s", "socks5://us%40er:p%3A%40%25s@1.2.3.4:1080" },
  { "http://user:%70wd@h:1", CS_PROXY_SCHEME_HTTP, "h", 1,
    "user", "pwd", "http:h:1:user:pwd" },
  { "http:h:65535:u:p%41", CS_PROXY_SCHEME_HTTP, "h", 65535,
    "u", "p%41", "http:h:65535:u:p%41" },
};

static void
test_parse (gconstpointer data)
{
  const ParseCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsProxy) proxy = cs_proxy_new_from_string (c->text, &error);
  g_autoptr(CsProxy) again = NULL;
  g_autofree char *task_string = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (cs_proxy_get_scheme (proxy), ==, c->scheme);
  g_assert_cmpstr (cs_proxy_get_host (proxy), ==, c->host);
  g_assert_cmpuint (cs_proxy_get_port (proxy), ==, c->port);
  g_assert_cmpstr (cs_proxy_get_login (proxy), ==, c->login);
  g_assert_cmpstr (cs_proxy_get_password (proxy), ==, c->password);

  task_string = cs_proxy_to_task_string (proxy);
  g_assert_cmpstr (task_string, ==, c->task_string);

  /* what is written reads back the same */
  again = cs_proxy_new_from_string (task_string, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cs_proxy_get_host (again), ==, c->host);
  g_assert_cmpuint (cs_proxy_get_port (again), ==, c->port);
  g_assert_cmpstr (cs_proxy_get_login (again), ==, c->login);
  g_assert_cmpstr (cs_proxy_get_password (again), ==, c->password);
}

typedef struct {
  const char *text;
  const char *message;
} RejectCase;

static const RejectCase reject_cases[] = {
  { "", "invalid proxy: empty text" },
  { "   ", "invalid proxy: empty text" },
  { "1.2.3.4", "invalid proxy: no port" },
  { "http:1.2.3.4", "invalid proxy: no port" },
  { "1.2.3.4:", "invalid proxy: no port" },
  { "1.2.3.4:0", "invalid proxy: the port is out of range (1-65535)" },
  { "1.2.3.4:65536", "invalid proxy: the port is out of range (1-65535)" },
  { "1.2.3.4:99999999999999999999", "invalid proxy: the port is out of range (1-65535)" },
  { "1.2.3.4:80a", "invalid proxy: the port is not a number" },
  { "1.2.3.4:-1", "invalid proxy: the port is not a number" },
  { "1.2.3.4:8080:user", "invalid proxy: a login without a password" },
  { "1.2.3.4:8080:user:", "invalid proxy: a login without a password" },
  { "1.2.3.4:8080::secret", "invalid proxy: a password without a login" },
  { ":8080", "invalid proxy: no host" },
  { "ftp://1.2.3.4:21", "invalid proxy: unknown scheme (use http, https, socks4 or socks5)" },
  { "://1.2.3.4:80", "invalid proxy: unknown scheme (use http, https, socks4 or socks5)" },
  { "http://user@1.2.3.4:80", "invalid proxy: a login without a password" },
  { "http://user:secret@1.2.3.4", "invalid proxy: no port" },
  { "http://1.2.3.4:80/path", "invalid proxy: unexpected text after the port" },
  { "http://1.2.3.4:80:90", "invalid proxy: unexpected text after the port" },
  { "http://user:bad%zzsecret@1.2.3.4:80", "invalid proxy: bad percent-encoding in the password" },
  { "http://[2001:db8::1:8080", "invalid proxy: unterminated IPv6 address" },
  { "http://bad host:80", "invalid proxy: the host contains a character a host name cannot have" },
  /* without a scheme separator this is the colon form: never a silent
   * misreading of a URL without its scheme */
  { "user:secret@1.2.3.4:8080", "invalid proxy: credentials before the host need the URL "
    "form, scheme://login:password@host:port" },
};

static void
test_reject (gconstpointer data)
{
  const RejectCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsProxy) proxy = cs_proxy_new_from_string (c->text, &error);

  g_assert_null (proxy);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, c->message);
  g_assert_null (strstr (error->message, "secret"));
}

static void
test_to_string_hides_password (void)
{
  g_autoptr(CsProxy) with_login = cs_proxy_new (CS_PROXY_SCHEME_SOCKS5, "1.2.3.4", 1080,
                                                "us:er", "s3cr3t");
  g_autoptr(CsProxy) without = cs_proxy_new (CS_PROXY_SCHEME_HTTPS, "proxy.example.net", 443,
                                             NULL, NULL);
  g_autofree char *text = cs_proxy_to_string (with_login);
  g_autofree char *plain = cs_proxy_to_string (without);

  g_assert_cmpstr (text, ==, "socks5://us%3Aer:***@1.2.3.4:1080");
  g_assert_null (strstr (text, "s3cr3t"));
  g_assert_cmpstr (plain, ==, "https://proxy.example.net:443");
}

static void
test_write_fields (void)
{
  g_autoptr(CsProxy) proxy = cs_proxy_new (CS_PROXY_SCHEME_SOCKS4, "10.0.0.1", 1080, "u", "p:w");
  g_autoptr(CsProxy) anonymous = cs_proxy_new (CS_PROXY_SCHEME_HTTP, "10.0.0.2", 3128, "", NULL);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) string = json_object_new ();
  g_autoptr(JsonObject) bare = json_object_new ();
  gint64 port = 0;

  _cs_proxy_write_fields (proxy, CS_PROXY_FORMAT_FIELDS, fields);
  g_assert_cmpuint (json_object_get_size (fields), ==, 5);
  g_assert_cmpstr (_cs_json_get_string (fields, "proxyType"), ==, "socks4");
  g_assert_cmpstr (_cs_json_get_string (fields, "proxyAddress"), ==, "10.0.0.1");
  g_assert_true (_cs_json_get_int (fields, "proxyPort", &port));
  g_assert_cmpint (port, ==, 1080);
  g_assert_cmpstr (_cs_json_get_string (fields, "proxyLogin"), ==, "u");
  g_assert_cmpstr (_cs_json_get_string (fields, "proxyPassword"), ==, "p:w");

  _cs_proxy_write_fields (proxy, CS_PROXY_FORMAT_STRING, string);
  g_assert_cmpuint (json_object_get_size (string), ==, 1);
  g_assert_cmpstr (_cs_json_get_string (string, "proxy"), ==, "socks4://u:p%3Aw@10.0.0.1:1080");

  /* an empty login is no login: no credentials are sent */
  g_assert_null (cs_proxy_get_login (anonymous));
  _cs_proxy_write_fields (anonymous, CS_PROXY_FORMAT_FIELDS, bare);
  g_assert_cmpuint (json_object_get_size (bare), ==, 3);
}

static void
test_properties (void)
{
  g_autoptr(CsProxy) proxy = g_object_new (CS_TYPE_PROXY,
                                           "scheme", CS_PROXY_SCHEME_HTTPS,
                                           "host", "h.example",
                                           "port", 8443,
                                           NULL);
  g_autofree char *host = NULL;
  CsProxyScheme scheme = CS_PROXY_SCHEME_HTTP;
  guint port = 0;

  g_object_get (proxy, "scheme", &scheme, "host", &host, "port", &port, NULL);
  g_assert_cmpint (scheme, ==, CS_PROXY_SCHEME_HTTPS);
  g_assert_cmpstr (host, ==, "h.example");
  g_assert_cmpuint (port, ==, 8443);
  g_assert_cmpstr (_cs_proxy_scheme_to_string (CS_PROXY_SCHEME_SOCKS5), ==, "socks5");
}

/* A proxy made with g_object_new() alone (CapSolver.Proxy() in Python) has
 * no host: writing it must not crash, and a task does not send it. */
static void
test_incomplete (void)
{
  g_autoptr(CsProxy) proxy = g_object_new (CS_TYPE_PROXY, NULL);
  g_autoptr(CsTask) task = cs_task_new ("AntiCloudflareTask");
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = cs_proxy_to_string (proxy);
  g_autofree char *written = cs_proxy_to_task_string (proxy);

  g_assert_nonnull (shown);
  g_assert_nonnull (written);

  cs_task_set_string (task, "websiteURL", "https://example.com/");
  cs_task_set_proxy (task, proxy);
  json = cs_task_to_json (task);
  g_assert_false (json_object_has_member (json, "proxy"));
  g_assert_false (cs_task_validate (task, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
}

/* --- What a proxy may be ------------------------------------------------------ */

typedef struct {
  const char *host;
  guint       port;
  const char *login;
  const char *password;
  const char *reason;
} UnwritableCase;

#define BRACKETS "the host is an IPv6 address in brackets: give it without them"

/* Proxies that no task string carries: cs_proxy_new() refuses them, and a
 * task with one made by g_object_new() does not pass validation. */
static const UnwritableCase unwritable_cases[] = {
  { "10.0.0.1", 8080, "user", NULL, "a login without a password" },
  { "10.0.0.1", 8080, "user", "", "a login without a password" },
  { "10.0.0.1", 8080, NULL, "secret", "a password without a login" },
  { "10.0.0.1", 8080, "", "secret", "a password without a login" },
  { "[::1]", 8080, NULL, NULL, BRACKETS },
  { "[2001:db8::1]", 8080, "u", "p", BRACKETS },
  { "bad host", 8080, NULL, NULL, "the host contains a character a host name cannot have" },
  { "host\t", 8080, NULL, NULL, "the host contains a character a host name cannot have" },
  { "user@host", 8080, NULL, NULL, "the host contains a character a host name cannot have" },
  { "host/path", 8080, NULL, NULL, "the host contains a character a host name cannot have" },
  { "", 8080, NULL, NULL, "no host" },
  { "10.0.0.1", 0, NULL, NULL, "the port is out of range (1-65535)" },
  { "h:1", 8080, NULL, NULL, "the host has a colon but is no IPv6 address" },
  { "host\x7f", 8080, NULL, NULL, "the host contains a character a host name cannot have" },
};

static void
test_new_refuses_unwritable (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (unwritable_cases); i++)
    {
      const UnwritableCase *c = &unwritable_cases[i];
      g_autofree char *pattern = g_strdup_printf ("*cs_proxy_new: invalid proxy: %s", c->reason);
      g_autoptr(CsProxy) proxy = NULL;

      g_test_expect_message ("CapSolver", G_LOG_LEVEL_CRITICAL, pattern);
      proxy = cs_proxy_new (CS_PROXY_SCHEME_HTTP, c->host, c->port, c->login, c->password);
      g_test_assert_expected_messages ();
      g_assert_null (proxy);
    }
}

static void
test_validate_refuses_unwritable (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);

  for (gsize i = 0; i < G_N_ELEMENTS (unwritable_cases); i++)
    {
      const UnwritableCase *c = &unwritable_cases[i];
      g_autoptr(CsProxy) proxy = g_object_new (CS_TYPE_PROXY, "host", c->host, "port", c->port,
                                               "login", c->login, "password", c->password,
                                               NULL);
      g_autoptr(CsTask) task = cs_task_new ("AntiCloudflareTask");
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) create_error = NULL;
      g_autofree char *message = g_strdup_printf ("ERROR_INVALID_TASK_DATA: invalid proxy: %s",
                                                  c->reason);

      cs_task_set_string (task, "websiteURL", "https://example.com/");
      cs_task_set_proxy (task, proxy);
      g_assert_false (cs_task_validate (task, &error));
      g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
      g_assert_cmpstr (error->message, ==, message);
      g_assert_false (cs_client_create_task (client, task, NULL, &create_error));
      g_assert_error (create_error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
    }
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 0);
}

/* What the rule lets through is written in a form that reads back, and
 * passes validation: an IPv6 host without brackets, no credentials or
 * both. */
static void
test_writable_passes (void)
{
  static const char * const hosts[] = { "::1", "2001:db8::1", "proxy.example.net", "h" };

  for (gsize i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autoptr(CsProxy) bare = cs_proxy_new (CS_PROXY_SCHEME_SOCKS5, hosts[i], 1080, NULL, NULL);
      g_autoptr(CsProxy) full = cs_proxy_new (CS_PROXY_SCHEME_HTTP, hosts[i], 80, "u", "p");
      g_autoptr(CsTask) task = cs_task_new ("AntiCloudflareTask");
      g_autoptr(GError) error = NULL;

      assert_proxy_round_trip (bare);
      assert_proxy_round_trip (full);
      cs_task_set_string (task, "websiteURL", "https://example.com/");
      cs_task_set_proxy (task, full);
      g_assert_true (cs_task_validate (task, &error));
      g_assert_no_error (error);
    }
}

/* --- What is sent reads back the same ---------------------------------------- */

/* Every login and password, however odd, is sent in a form that reads
 * back to them. */
static void
test_round_trip_credentials (void)
{
  static const char * const words[] = {
    "user", "pa//ss", "//", "://x", "http://x", "a:b", "@", "a@b:c@d", " lead", "trail ",
    " both ", "\t", "%41", "%", "%zz", "pässwörd", "密码", "😀", "a b", "#?[]/", "::", "x:",
    ":x", "a%3Ab",
  };
  static const CsProxyScheme schemes[] = {
    CS_PROXY_SCHEME_HTTP, CS_PROXY_SCHEME_SOCKS5,
  };

  for (gsize s = 0; s < G_N_ELEMENTS (schemes); s++)
    for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
      for (gsize j = 0; j < G_N_ELEMENTS (words); j++)
        {
          g_autoptr(CsProxy) proxy = cs_proxy_new (schemes[s], "10.0.0.1", 8080, words[i], words[j]);
          g_autoptr(CsProxy) v6 = cs_proxy_new (schemes[s], "2001:db8::1", 1, words[i], words[j]);

          assert_proxy_round_trip (proxy);
          assert_proxy_round_trip (v6);
        }
}

/* The same, for logins and passwords drawn at random from characters
 * that mean something to one of the forms. */
static void
test_round_trip_random (void)
{
  static const char * const pieces[] = {
    "a", "Z", "0", ":", "@", "/", "//", "%", "%2", " ", "\t", "#", "?", "[", "]", "é", "€", "😀",
    "://", "\\", "\"",
  };

  for (guint n = 0; n < 2000; n++)
    {
      g_autoptr(GString) login = g_string_new (NULL);
      g_autoptr(GString) password = g_string_new (NULL);
      g_autoptr(CsProxy) proxy = NULL;

      for (gint k = g_test_rand_int_range (1, 6); k > 0; k--)
        g_string_append (login, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
      for (gint k = g_test_rand_int_range (1, 8); k > 0; k--)
        g_string_append (password, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
      proxy = cs_proxy_new (CS_PROXY_SCHEME_HTTPS, "proxy.example.net", 3128,
                            login->str, password->str);
      assert_proxy_round_trip (proxy);
    }
}

/* Text that is not UTF-8 is refused when read, and never sent. */
static void
test_not_utf8 (void)
{
  static const char * const texts[] = {
    "http:1.2.3.4:80:us\xff" "er:pw",
    "http://user:p%FFw@1.2.3.4:80",
    "http://us%C3er:pw@1.2.3.4:80",
  };
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);
  g_autoptr(CsProxy) proxy = cs_proxy_new (CS_PROXY_SCHEME_HTTP, "1.2.3.4", 80, "user",
                                           "bad\xc3(");
  g_autoptr(CsTask) task = cs_task_new ("AntiCloudflareTask");
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) parse_error = NULL;
      g_autoptr(CsProxy) parsed = cs_proxy_new_from_string (texts[i], &parse_error);

      g_assert_null (parsed);
      g_assert_error (parse_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (parse_error->message, "not valid UTF-8"));
      g_assert_true (g_utf8_validate (parse_error->message, -1, NULL));
    }

  cs_task_set_string (task, "websiteURL", "https://example.com/");
  cs_task_set_proxy (task, proxy);
  g_assert_false (cs_client_create_task (client, task, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  g_assert_cmpstr (error->message, ==, "ERROR_INVALID_TASK_DATA: member proxy is not valid UTF-8");
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 0);

  /* any other member of the task likewise */
  g_clear_error (&error);
  cs_task_set_proxy (task, NULL);
  cs_task_set_string (task, "websiteURL", "https://example.com/\xff");
  g_assert_false (cs_task_validate (task, &error));
  g_assert_cmpstr (error->message, ==,
                   "ERROR_INVALID_TASK_DATA: member websiteURL is not valid UTF-8");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/proxy/parse/%" G_GSIZE_FORMAT, i);

      g_test_add_data_func (path, &parse_cases[i], test_parse);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (reject_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/proxy/reject/%" G_GSIZE_FORMAT, i);

      g_test_add_data_func (path, &reject_cases[i], test_reject);
    }
  g_test_add_func ("/proxy/to-string-hides-password", test_to_string_hides_password);
  g_test_add_func ("/proxy/write-fields", test_write_fields);
  g_test_add_func ("/proxy/properties", test_properties);
  g_test_add_func ("/proxy/incomplete", test_incomplete);
  g_test_add_func ("/proxy/new-refuses-unwritable", test_new_refuses_unwritable);
  g_test_add_func ("/proxy/validate-refuses-unwritable", test_validate_refuses_unwritable);
  g_test_add_func ("/proxy/writable-passes", test_writable_passes);
  g_test_add_func ("/proxy/round-trip/credentials", test_round_trip_credentials);
  g_test_add_func ("/proxy/round-trip/random", test_round_trip_random);
  g_test_add_func ("/proxy/not-utf8", test_not_utf8);

  return g_test_run ();
}
