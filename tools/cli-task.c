/* cli-task.c: tasks built from the command line
 *
 *   TYPE FIELD=TEXT FIELD:=JSON FIELD@=FILE …
 *   --image FILE [--module NAME] [FIELD=…]
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capsolver.h"

/* Far above any captcha image; the service refuses big images anyway. */
#define MAX_FILE_SIZE (10 * 1024 * 1024)
#define MAX_TASK_ID_LENGTH 128

/* --- Files --------------------------------------------------------------- */

static gboolean
read_fd (int          fd,
         const char  *name,
         GByteArray  *contents,
         GError     **error)
{
  guint8 buffer[64 * 1024];

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return cli_usage_error (error, "cannot read \"%s\": %s", name, g_strerror (errno));
      if (n == 0)
        return TRUE;
      if (contents->len + (gsize) n > MAX_FILE_SIZE)
        return cli_usage_error (error, "\"%s\" is larger than %d MiB", name,
                                MAX_FILE_SIZE / (1024 * 1024));
      g_byte_array_append (contents, buffer, n);
    }
}

/* Reads a whole file, or standard input for "-", with a size limit. */
static GBytes *
read_file (const char  *path,
           GError     **error)
{
  g_autoptr(GByteArray) contents = g_byte_array_new ();
  gboolean is_stdin = g_str_equal (path, "-");
  const char *name = is_stdin ? "standard input" : path;
  struct stat info;
  int fd;
  gboolean ok;

  if (is_stdin && isatty (STDIN_FILENO))
    {
      cli_usage_error (error, "standard input is a terminal: pipe a file into it");
      return NULL;
    }
  fd = is_stdin ? STDIN_FILENO : open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      cli_usage_error (error, "cannot read \"%s\": %s", name, g_strerror (errno));
      return NULL;
    }
  if (fstat (fd, &info) == 0 && S_ISDIR (info.st_mode))
    ok = cli_usage_error (error, "cannot read \"%s\": it is a directory", name);
  else
    ok = read_fd (fd, name, contents, error);
  if (!is_stdin)
    close (fd);
  if (ok && contents->len == 0)
    ok = cli_usage_error (error, "\"%s\" is empty", name);
  return ok ? g_byte_array_free_to_bytes (g_steal_pointer (&contents)) : NULL;
}

static char *
read_file_base64 (const char  *path,
                  GError     **error)
{
  g_autoptr(GBytes) bytes = read_file (path, error);
  gsize size;
  const guint8 *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &size);
  return g_base64_encode (data, size);
}

/* --- Fields ---------------------------------------------------------------- */

/* The fields any type takes, besides those of its own: a proxy given as
 * fields rather than with --proxy. */
static const char * const task_wide_fields[] = {
  "proxy", "proxyType", "proxyAddress", "proxyPort", "proxyLogin", "proxyPassword", NULL
};

static gboolean
set_json_field (CsTask      *task,
                const char  *name,
                const char  *text,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &local_error) ||
      json_parser_get_root (parser) == NULL)
    /* the value is not repeated: it may hold a secret such as a proxy password */
    return cli_usage_error (error, "field %s: the value after := is not JSON", name);
  cs_task_set_json (task, name, json_parser_get_root (parser));
  return TRUE;
}

static gboolean
set_file_field (CsTask      *task,
                const char  *name,
                const char  *path,
                GError     **error)
{
  g_autofree char *encoded = read_file_base64 (path, error);

  if (encoded == NULL)
    return FALSE;
  cs_task_set_string (task, name, encoded);
  return TRUE;
}

static gboolean
is_field_name (const char *name,
               gsize       length)
{
  if (length == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (name[i]) && strchr ("_-.", name[i]) == NULL)
      return FALSE;
  return TRUE;
}

/* The field names of @type and the task-wide ones, for cs_suggest_name(). */
static GPtrArray *
field_names (const CsTaskType *type)
{
  GPtrArray *names = g_ptr_array_new ();
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);

  for (guint i = 0; i < n_fields; i++)
    g_ptr_array_add (names, (gpointer) cs_task_field_get_member (fields[i]));
  for (const char * const *name = task_wide_fields; *name != NULL; name++)
    g_ptr_array_add (names, (gpointer) *name);
  g_ptr_array_add (names, NULL);
  return names;
}

static gboolean
unknown_field_error (const CsTaskType  *type,
                     const char        *name,
                     GError           **error)
{
  g_autoptr(GPtrArray) names = field_names (type);
  g_autofree char *closest = cs_suggest_name (name, (const char * const *) names->pdata);
  g_auto(GStrv) type_names = cs_task_type_dup_wire_names (type);

  if (closest != NULL)
    return cli_usage_error (error, "%s has no field \"%s\": did you mean %s? "
                                   "(\"capsolver types %s\" lists them)",
                            type_names[0], name, closest, type_names[0]);
  return cli_usage_error (error, "%s has no field \"%s\" (\"capsolver types %s\" lists "
                                 "them; --no-check sends it anyway)",
                          type_names[0], name, type_names[0]);
}

/* A JSON literal a shell user may have meant as one: true, false, 12. */
static gboolean
is_json_scalar (const char *text)
{
  char *end = NULL;

  if (g_str_equal (text, "true") || g_str_equal (text, "false") || g_str_equal (text, "null"))
    return TRUE;
  g_ascii_strtod (text, &end);
  return *text != '\0' && end != text && *end == '\0';
}

/* Refuses a field that @type does not have, and text for a field that is
 * not a string: isInvisible=true would send the string "true". */
static gboolean
check_field (const CsTaskType  *type,
             const char        *name,
             char               sigil,
             const char        *value,
             GError           **error)
{
  const CsTaskField *field;

  if (type == NULL || g_strv_contains (task_wide_fields, name))
    return TRUE;
  field = cli_task_type_find_field (type, name);
  if (field == NULL)
    return unknown_field_error (type, name, error);
  if (sigil != '\0' || cs_task_field_get_kind (field) == CS_TASK_FIELD_KIND_STRING ||
      !g_str_equal (cs_task_field_get_member (field), name))
    return TRUE;
  if (is_json_scalar (value))
    return cli_usage_error (error, "field %s takes a JSON value, not text: write %s:=%s",
                            name, name, value);
  return cli_usage_error (error, "field %s takes a JSON value, not text: write %s:=JSON",
                          name, name);
}

/* NAME=TEXT sends a string, NAME:=JSON any JSON value, NAME@=FILE the
 * file's bytes in base64. */
static gboolean
add_field (CsTask            *task,
           const CsTaskType  *type,
           const char        *argument,
           GError           **error)
{
  const char *equals = strchr (argument, '=');
  gsize name_length;
  g_autofree char *name = NULL;
  char sigil = '\0';

  if (equals == NULL)
    return cli_usage_error (error, "\"%s\" is not a field: write NAME=TEXT, NAME:=JSON "
                                   "or NAME@=FILE", argument);
  name_length = equals - argument;
  if (name_length > 0 && (argument[name_length - 1] == ':' || argument[name_length - 1] == '@'))
    sigil = argument[--name_length];
  if (!is_field_name (argument, name_length))
    return cli_usage_error (error, "\"%s\" is not a field: the name before \"=\" is "
                                   "letters, digits, \"_\", \"-\" or \".\"", argument);
  name = g_strndup (argument, name_length);
  if (g_str_equal (name, "type"))
    return cli_usage_error (error, "the task type is the first argument, not a field");
  if (!check_field (type, name, sigil, equals + 1, error))
    return FALSE;

  if (sigil == ':')
    return set_json_field (task, name, equals + 1, error);
  if (sigil == '@')
    return set_file_field (task, name, equals + 1, error);
  cs_task_set_string (task, name, equals + 1);
  return TRUE;
}

/* --- Tasks ------------------------------------------------------------------ */

static gboolean
is_type_name (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isalnum (*text) && *text != '_')
      return FALSE;
  return TRUE;
}

/* The library checks the image as the service would, with its words. */
static CsTask *
new_image_task (const char  *image_path,
                GError     **error)
{
  g_autoptr(GBytes) image = read_file (image_path, error);
  g_autoptr(CsTask) task = NULL;
  g_autoptr(GError) local_error = NULL;

  if (image == NULL)
    return NULL;
  task = cs_task_new ("ImageToTextTask");
  if (!cs_task_set_image (task, "body", image, &local_error))
    {
      cli_usage_error (error, "\"%s\": %s",
                       g_str_equal (image_path, "-") ? "standard input" : image_path,
                       local_error->message);
      return NULL;
    }
  return g_steal_pointer (&task);
}

static CsTask *
new_typed_task (int          argc,
                char       **argv,
                gboolean     no_check,
                GError     **error)
{
  if (argc < 1)
    {
      cli_usage_error (error, "no task type: give one, such as ReCaptchaV2TaskProxyLess, "
                              "or --image FILE");
      return NULL;
    }
  if (!is_type_name (argv[0]))
    {
      cli_usage_error (error, "\"%s\" is not a task type: the first argument is the type, "
                              "such as ReCaptchaV2TaskProxyLess", argv[0]);
      return NULL;
    }
  if (!no_check && cs_task_type_lookup (argv[0]) == NULL)
    {
      cli_unknown_type_error (error, argv[0]);
      return NULL;
    }
  return cs_task_new (argv[0]);
}

static gboolean
set_proxy (CsTask      *task,
           const char  *text,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(CsProxy) proxy = cs_proxy_new_from_string (text, &local_error);

  /* the library's message never repeats the text, which may hold a password */
  if (proxy == NULL)
    return cli_usage_error (error, "--proxy: %s", local_error->message);
  cs_task_set_proxy (task, proxy);
  return TRUE;
}

/* What the library checks before it sends the task (required fields, a
 * proxy where the type needs one), checked here: a mistake on the command
 * line is a usage error, not an answer of the service. */
static gboolean
check_task (CsTask      *task,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (cs_task_validate (task, &local_error))
    return TRUE;
  return cli_usage_error (error, "%s (\"capsolver types %s\" lists its fields)",
                          local_error->message, cs_task_get_type_name (task));
}

void
cli_task_options_clear (CliTaskOptions *options)
{
  g_clear_pointer (&options->image, g_free);
  g_clear_pointer (&options->module, g_free);
  g_clear_pointer (&options->proxy, g_free);
  g_clear_pointer (&options->callback_url, g_free);
}

/* The task that @argv (the positional arguments) describe: TYPE and
 * fields, or with options->image an ImageToTextTask and fields. */
CsTask *
cli_task_new_from_args (const CliTaskOptions  *options,
                        int                    argc,
                        char                 **argv,
                        GError               **error)
{
  g_autoptr(CsTask) task = NULL;
  const CsTaskType *type = NULL;
  int first_field = options->image != NULL ? 0 : 1;

  if (options->image != NULL)
    task = new_image_task (options->image, error);
  else
    task = new_typed_task (argc, argv, options->no_check, error);
  if (task == NULL)
    return NULL;
  if (!options->no_check)
    type = cs_task_get_task_type (task);

  if (options->module != NULL)
    cs_task_set_string (task, "module", options->module);
  for (int i = first_field; i < argc; i++)
    if (!add_field (task, type, argv[i], error))
      return NULL;
  if (options->proxy != NULL && !set_proxy (task, options->proxy, error))
    return NULL;
  if (options->callback_url != NULL)
    cs_task_set_callback_url (task, options->callback_url);
  if (!options->no_check && !check_task (task, error))
    return NULL;
  return g_steal_pointer (&task);
}

gboolean
cli_check_task_id (const char  *task_id,
                   GError     **error)
{
  gsize length = strlen (task_id);

  if (length == 0 || length > MAX_TASK_ID_LENGTH)
    return cli_usage_error (error, "\"%s\" is not a task id", task_id);
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isgraph (task_id[i]))
      return cli_usage_error (error, "\"%s\" is not a task id", task_id);
  return TRUE;
}
