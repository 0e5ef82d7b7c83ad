/* cs-sandbox-answers.c: the sandbox's image checks and solutions
 *
 * Every value of a solution, but the clock fields, is drawn from the
 * SHA-256 digest of the task, so the same task always gets the same
 * answer. The rules are documented for users in docs/sandbox.md
 * ("Solutions", and the solve times in "Time and load"): keep the two in
 * step.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-sandbox-private.h"

#define DIGITS       "0123456789"
#define LOWER_ALNUM  "abcdefghijklmnopqrstuvwxyz0123456789"
#define MIXED_ALNUM  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define TOKEN_CHARS  MIXED_ALNUM "-_"
#define HEX          "0123456789abcdef"

#define DEFAULT_USER_AGENT "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " \
                           "(KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36"
#define DEFAULT_SEC_CH_UA  "\"Chromium\";v=\"136\", \"Google Chrome\";v=\"136\", " \
                           "\"Not.A/Brand\";v=\"99\""
/* reCAPTCHA tokens are accepted for two minutes */
#define TOKEN_LIFETIME_MS  120000
/* the size assumed for an image whose header the sandbox cannot read */
#define DEFAULT_IMAGE_SIZE 300

static gboolean
answer_error (GError               **error,
              CsError                code,
              const char            *format,
              ...) G_GNUC_PRINTF (   3, 4);

static gboolean
answer_error (GError     **error,
              CsError      code,
              const char  *format,
              ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (CS_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

/* --- Images ------------------------------------------------------------------ */

static guint
read_be16 (const guint8 *p)
{
  return (p[0] << 8) | p[1];
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint
read_le16 (const guint8 *p)
{
  return p[0] | (p[1] << 8);
}

static guint
read_le24 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16);
}

/* Walks the JPEG markers up to the frame header, which holds the size. */
static gboolean
jpeg_get_size (const guint8 *data,
               gsize         size,
               guint        *width,
               guint        *height)
{
  gsize offset = 2;

  while (offset + 9 <= size && data[offset] == 0xff)
    {
      guint marker = data[offset + 1];

      if (marker == 0xff)
        {
          offset++;   /* fill byte */
          continue;
        }
      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc)
        {
          *height = read_be16 (data + offset + 5);
          *width = read_be16 (data + offset + 7);
          return TRUE;
        }
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd9))
        offset += 2;   /* no length */
      else
        offset += 2 + read_be16 (data + offset + 2);
    }
  return FALSE;
}

static gboolean
webp_get_size (const guint8 *data,
               gsize         size,
               guint        *width,
               guint        *height)
{
  if (size >= 30 && memcmp (data + 12, "VP8X", 4) == 0)
    {
      *width = 1 + read_le24 (data + 24);
      *height = 1 + read_le24 (data + 27);
      return TRUE;
    }
  if (size >= 30 && memcmp (data + 12, "VP8 ", 4) == 0)
    {
      *width = read_le16 (data + 26) & 0x3fff;
      *height = read_le16 (data + 28) & 0x3fff;
      return TRUE;
    }
  if (size >= 25 && memcmp (data + 12, "VP8L", 4) == 0)
    {
      guint32 bits = data[21] | (data[22] << 8) | (data[23] << 16) | ((guint32) data[24] << 24);

      *width = 1 + (bits & 0x3fff);
      *height = 1 + ((bits >> 14) & 0x3fff);
      return TRUE;
    }
  return FALSE;
}

/* The pixel size from the image header; FALSE if it cannot be read. */
static gboolean
image_get_size (GBytes *image,
                guint  *width,
                guint  *height)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (image, &size);

  switch (_cs_image_sniff (data, size))
    {
    case CS_IMAGE_PNG:
      if (size < 24)
        return FALSE;
      *width = read_be32 (data + 16);
      *height = read_be32 (data + 20);
      return TRUE;
    case CS_IMAGE_GIF:
      if (size < 10)
        return FALSE;
      *width = read_le16 (data + 6);
      *height = read_le16 (data + 8);
      return TRUE;
    case CS_IMAGE_JPEG:
      return jpeg_get_size (data, size, width, height);
    case CS_IMAGE_WEBP:
      return webp_get_size (data, size, width, height);
    case CS_IMAGE_UNKNOWN:
    default:
      return FALSE;
    }
}

/* The text of a PNG tEXt chunk whose keyword is CS_SANDBOX_ANSWER_KEYWORD,
 * in UTF-8, or NULL. */
static char *
png_find_answer (GBytes *image)
{
  static const char keyword[] = CS_SANDBOX_ANSWER_KEYWORD;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (image, &size);
  gsize offset = 8;

  if (_cs_image_sniff (data, size) != CS_IMAGE_PNG)
    return NULL;

  while (offset + 12 <= size)
    {
      guint32 length = read_be32 (data + offset);
      const guint8 *type = data + offset + 4;
      const guint8 *chunk = data + offset + 8;

      if (length > size - offset - 12)
        break;
      if (memcmp (type, "tEXt", 4) == 0 && length > sizeof keyword &&
          memcmp (chunk, keyword, sizeof keyword) == 0)   /* the keyword and its NUL */
        return g_convert ((const char *) chunk + sizeof keyword, length - sizeof keyword,
                          "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
      if (memcmp (type, "IEND", 4) == 0)
        break;
      offset += 12 + length;
    }
  return NULL;
}

/* Strict base64, as the service wants it: no data: URL prefix, no line
 * breaks, padding only at the end (and allowed to be missing). */
static gboolean
is_base64 (const char *text,
           gsize       length)
{
  gsize padding = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '=')
        padding++;
      else if (padding > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return FALSE;
    }
  if (padding > 0)
    return padding <= 2 && length % 4 == 0;
  return length % 4 != 1;
}

static GBytes *
decode_image (const char  *field,
              const char  *text,
              GError     **error)
{
  gsize length = strlen (text);
  g_autofree char *padded = NULL;
  g_autoptr(GBytes) image = NULL;
  guchar *data;
  gsize size = 0;

  if (g_str_has_prefix (text, "data:"))
    {
      answer_error (error, CS_ERROR_PARSE_IMAGE_FAIL,
                    "field %s: send the base64 data alone, without a data: URL prefix", field);
      return NULL;
    }
  if (!is_base64 (text, length))
    {
      answer_error (error, CS_ERROR_PARSE_IMAGE_FAIL, "field %s is not valid base64", field);
      return NULL;
    }

  padded = g_strdup_printf ("%s%.*s", text, (int) ((4 - length % 4) % 4), "==");
  data = g_base64_decode (padded, &size);
  image = g_bytes_new_take (data, size);
  if (!_cs_image_check (field, image, error))
    return NULL;
  return g_steal_pointer (&image);
}

/* The decoded images of a field that holds one base64 string or an array
 * of them; an empty array when the field is absent. */
static GPtrArray *
decode_field_images (JsonObject  *task,
                     const char  *member,
                     GError     **error)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  JsonNode *node = _cs_task_field_lookup (task, member);
  JsonArray *array = NULL;
  guint n_values = 1;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_steal_pointer (&images);
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      array = json_node_get_array (node);
      n_values = json_array_get_length (array);
    }

  for (guint i = 0; i < n_values; i++)
    {
      JsonNode *element = array != NULL ? json_array_get_element (array, i) : node;
      GBytes *image;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          answer_error (error, CS_ERROR_PARSE_IMAGE_FAIL, "field %s is not base64 text", member);
          return NULL;
        }
      /* an empty optional image counts as absent, as in validation */
      if (array == NULL && *json_node_get_string (element) == '\0')
        break;
      image = decode_image (member, json_node_get_string (element), error);
      if (image == NULL)
        return NULL;
      g_ptr_array_add (images, image);
    }
  return g_steal_pointer (&images);
}

/* Checks every image field of the family: ERROR_PARSE_IMAGE_FAIL for what
 * is not base64, ERROR_INVALID_IMAGE for what is not an image. */
gboolean
_cs_sandbox_check_images (const CsTaskFamily  *family,
                          JsonObject          *task,
                          GError             **error)
{
  for (const CsTaskField * const *field = family->fields; *field != NULL; field++)
    {
      g_autoptr(GPtrArray) images = NULL;

      if (((*field)->flags & CS_FIELD_IMAGE) == 0)
        continue;
      images = decode_field_images (task, (*field)->member, error);
      if (images == NULL)
        return FALSE;
    }
  return TRUE;
}

/* --- The digest of a task ------------------------------------------------------
 *
 * The canonical form of a task is its JSON without the proxy members, with
 * the members of every object sorted by name and no white space.
 */

static const char * const proxy_members[] = {
  "proxy", "proxyType", "proxyAddress", "proxyPort", "proxyLogin", "proxyPassword", NULL
};

static void append_node (GString  *out,
                         JsonNode *node,
                         gboolean  canonical);

static void
append_string (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c == '"' || c == '\\')
        g_string_append_c (out, '\\');
      if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

/* Members sorted by name in the canonical form, in their order otherwise. */
static void
append_object (GString    *out,
               JsonObject *object,
               gboolean    canonical,
               gboolean    without_proxy)
{
  GList *names = json_object_get_members (object);
  gboolean first = TRUE;

  if (canonical)
    names = g_list_sort (names, (GCompareFunc) strcmp);
  g_string_append_c (out, '{');
  for (GList *l = names; l != NULL; l = l->next)
    {
      if (without_proxy && g_strv_contains (proxy_members, l->data))
        continue;
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      append_string (out, l->data);
      g_string_append_c (out, ':');
      append_node (out, json_object_get_member (object, l->data), canonical);
    }
  g_string_append_c (out, '}');
  g_list_free (names);
}

/* The shortest form that reads back the same: 99.9988, where %.17g (and
 * json-glib) write 99.998800000000003. */
static void
append_shortest_double (GString *out,
                        double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }
  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }
  g_string_append (out, buffer);
}

static void
append_value (GString  *out,
              JsonNode *node,
              gboolean  canonical)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      append_string (out, json_node_get_string (node));
      break;
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      /* the canonical form is hashed: it keeps its digits */
      if (canonical)
        g_string_append (out, g_ascii_dtostr (number, sizeof number, json_node_get_double (node)));
      else
        append_shortest_double (out, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    default:
      g_string_append (out, "null");
      break;
    }
}

static void
append_node (GString  *out,
             JsonNode *node,
             gboolean  canonical)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      append_object (out, json_node_get_object (node), canonical, FALSE);
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        g_string_append_c (out, '[');
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_node (out, json_array_get_element (array, i), canonical);
          }
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_VALUE:
      append_value (out, node, canonical);
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

/* A reply as the service writes it: members in order, numbers in their
 * shortest form. */
GBytes *
_cs_sandbox_json_to_bytes (JsonObject *object)
{
  GString *out = g_string_sized_new (256);

  append_object (out, object, FALSE, FALSE);
  return g_string_free_to_bytes (out);
}

#define SEED_SIZE 32

static void
compute_seed (JsonObject *task,
              guint8      seed[SEED_SIZE])
{
  g_autoptr(GString) canonical = g_string_new (NULL);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize size = SEED_SIZE;

  append_object (canonical, task, TRUE, TRUE);
  g_checksum_update (checksum, (const guchar *) canonical->str, canonical->len);
  g_checksum_get_digest (checksum, seed, &size);
}

/* --- Drawing values from the digest --------------------------------------------
 *
 * Each value has a label, usually the name of its member, so that no two
 * values of a solution share their bytes: block n of a label is
 * SHA-256 (seed ‖ label ‖ 0 ‖ n as 4 big-endian bytes).
 */

typedef struct {
  const CsTaskFamily *family;
  JsonObject         *task;
  JsonObject         *solution;
  gint64              created_ms;
  guint8              seed[SEED_SIZE];
} Answer;

static void
derive_bytes (Answer     *answer,
              const char *label,
              guint8     *out,
              gsize       n_bytes)
{
  for (guint32 block = 0; (gsize) block * SEED_SIZE < n_bytes; block++)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[SEED_SIZE];
      guint8 counter[5] = { 0, block >> 24, block >> 16, block >> 8, block };
      gsize size = SEED_SIZE;
      gsize done = (gsize) block * SEED_SIZE;

      g_checksum_update (checksum, answer->seed, SEED_SIZE);
      g_checksum_update (checksum, (const guchar *) label, strlen (label));
      g_checksum_update (checksum, counter, sizeof counter);
      g_checksum_get_digest (checksum, digest, &size);
      memcpy (out + done, digest, MIN (SEED_SIZE, n_bytes - done));
    }
}

/* The task's solve time, from the family's distribution at a quantile
 * drawn from the digest: the same task always takes as long. */
static guint
draw_solve_time (Answer *answer)
{
  guint8 bytes[8];
  guint64 value = 0;

  derive_bytes (answer, "solve-time", bytes, sizeof bytes);
  for (gsize i = 0; i < sizeof bytes; i++)
    value = (value << 8) | bytes[i];
  return _cs_task_family_solve_time (answer->family, (double) value / 18446744073709551616.0);
}

static char *
derive_text (Answer     *answer,
             const char *label,
             const char *alphabet,
             gsize       length)
{
  g_autofree guint8 *bytes = g_malloc (length);
  gsize n_letters = strlen (alphabet);
  char *text = g_malloc (length + 1);

  derive_bytes (answer, label, bytes, length);
  for (gsize i = 0; i < length; i++)
    text[i] = alphabet[bytes[i] % n_letters];
  text[length] = '\0';
  return text;
}

/* A number from @min to @max, both included. */
static gint64
derive_range (Answer     *answer,
              const char *label,
              gint64      min,
              gint64      max)
{
  guint8 bytes[4];

  if (max <= min)
    return min;
  derive_bytes (answer, label, bytes, sizeof bytes);
  return min + read_be32 (bytes) % (guint64) (max - min + 1);
}

/* Sets @member to @prefix followed by @length characters of @alphabet. */
static void
set_token (Answer     *answer,
           const char *member,
           const char *prefix,
           const char *alphabet,
           gsize       length)
{
  g_autofree char *text = derive_text (answer, member, alphabet, length);
  g_autofree char *value = g_strconcat (prefix, text, NULL);

  json_object_set_string_member (answer->solution, member, value);
}

/* The indices of the tiles of a grid that show the object: tile i does
 * when bit 0 of byte i of the label's bytes is set. */
static void
set_tile_objects (Answer     *answer,
                  const char *label,
                  guint       n_tiles)
{
  g_autofree guint8 *bytes = g_malloc (n_tiles);
  JsonArray *objects = json_array_new ();

  derive_bytes (answer, label, bytes, n_tiles);
  for (guint i = 0; i < n_tiles; i++)
    if (bytes[i] & 1)
      json_array_add_int_element (objects, i);
  json_object_set_array_member (answer->solution, "objects", objects);
}

static JsonArray *
derive_box (Answer     *answer,
            const char *label,
            guint       width,
            guint       height)
{
  g_autofree char *x1_label = g_strconcat (label, "/x1", NULL);
  g_autofree char *y1_label = g_strconcat (label, "/y1", NULL);
  g_autofree char *x2_label = g_strconcat (label, "/x2", NULL);
  g_autofree char *y2_label = g_strconcat (label, "/y2", NULL);
  JsonArray *box = json_array_new ();
  gint64 x1 = derive_range (answer, x1_label, 0, width / 2);
  gint64 y1 = derive_range (answer, y1_label, 0, height / 2);

  json_array_add_int_element (box, x1);
  json_array_add_int_element (box, y1);
  json_array_add_int_element (box, derive_range (answer, x2_label, x1 + 1, width));
  json_array_add_int_element (box, derive_range (answer, y2_label, y1 + 1, height));
  return box;
}

static const char *
task_string (Answer     *answer,
             const char *member)
{
  const char *value = _cs_json_get_string (answer->task, member);

  return value != NULL && *value != '\0' ? value : NULL;
}

static const char *
task_user_agent (Answer *answer)
{
  const char *user_agent = task_string (answer, "userAgent");

  return user_agent != NULL ? user_agent : DEFAULT_USER_AGENT;
}

/* The first image of a field, and its size (DEFAULT_IMAGE_SIZE square
 * when the header cannot be read); NULL when the field is absent. */
static GBytes *
first_image (Answer      *answer,
             const char  *member,
             guint       *width,
             guint       *height,
             GError     **error)
{
  g_autoptr(GPtrArray) images = decode_field_images (answer->task, member, error);

  if (images == NULL || images->len == 0)
    return NULL;
  if (!image_get_size (images->pdata[0], width, height) || *width == 0 || *height == 0)
    *width = *height = DEFAULT_IMAGE_SIZE;
  return g_bytes_ref (images->pdata[0]);
}

/* --- Token tasks ------------------------------------------------------------------ */

static gboolean
answer_token (Answer  *answer,
              GError **error)
{
  set_token (answer, "token", "", TOKEN_CHARS, 200);
  return TRUE;
}

static gboolean
answer_recaptcha (Answer  *answer,
                  GError **error)
{
  gboolean session = FALSE;

  set_token (answer, "gRecaptchaResponse", "03A", TOKEN_CHARS, 500);
  json_object_set_string_member (answer->solution, "userAgent", task_user_agent (answer));
  json_object_set_string_member (answer->solution, "secChUa", DEFAULT_SEC_CH_UA);
  json_object_set_int_member (answer->solution, "createTime", answer->created_ms);
  json_object_set_int_member (answer->solution, "expireTime",
                              answer->created_ms + TOKEN_LIFETIME_MS);
  if (_cs_json_get_boolean (answer->task, "isSession", &session) && session)
    set_token (answer, "recaptcha-ca-t", "", TOKEN_CHARS, 120);
  return TRUE;
}

static gboolean
answer_turnstile (Answer  *answer,
                  GError **error)
{
  set_token (answer, "token", "0.", TOKEN_CHARS, 300);
  json_object_set_string_member (answer->solution, "type", "turnstile");
  /* the service ignores a custom user agent for Turnstile */
  json_object_set_string_member (answer->solution, "userAgent", DEFAULT_USER_AGENT);
  return TRUE;
}

static gboolean
answer_cloudflare_challenge (Answer  *answer,
                             GError **error)
{
  g_autofree char *head = derive_text (answer, "cf_clearance", TOKEN_CHARS, 43);
  g_autofree char *tail = derive_text (answer, "cf_clearance/tail", TOKEN_CHARS, 150);
  g_autofree char *clearance = g_strconcat (head, "-0-1.2.1.1-", tail, NULL);
  JsonObject *cookies = json_object_new ();

  json_object_set_string_member (cookies, "cf_clearance", clearance);
  json_object_set_object_member (answer->solution, "cookies", cookies);
  json_object_set_string_member (answer->solution, "token", clearance);
  json_object_set_string_member (answer->solution, "userAgent", task_user_agent (answer));
  return TRUE;
}

static gboolean
answer_aws_waf (Answer  *answer,
                GError **error)
{
  g_autofree char *id = derive_text (answer, "cookie/id", HEX, 32);
  g_autofree char *head = derive_text (answer, "cookie/head", TOKEN_CHARS, 16);
  g_autofree char *tail = derive_text (answer, "cookie/tail", TOKEN_CHARS, 200);
  g_autofree char *cookie = g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s:%s:%s",
                                             id, id + 8, id + 12, id + 16, id + 20, head, tail);

  json_object_set_string_member (answer->solution, "cookie", cookie);
  return TRUE;
}

/* The cookie domain of a page: its host without "www.", or NULL. */
static char *
cookie_domain (const char *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (host == NULL || *host == '\0')
    return NULL;
  return g_strdup (g_str_has_prefix (host, "www.") ? host + 4 : host);
}

static gboolean
answer_datadome (Answer  *answer,
                 GError **error)
{
  g_autofree char *value = derive_text (answer, "cookie", MIXED_ALNUM "~_", 128);
  g_autofree char *domain = cookie_domain (task_string (answer, "websiteURL"));
  g_autoptr(GString) cookie = g_string_new ("datadome=");

  g_string_append (cookie, value);
  g_string_append (cookie, "; Max-Age=31536000");
  if (domain != NULL)
    g_string_append_printf (cookie, "; Domain=.%s", domain);
  g_string_append (cookie, "; Path=/; Secure; SameSite=Lax");

  json_object_set_string_member (answer->solution, "cookie", cookie->str);
  json_object_set_string_member (answer->solution, "userAgent", task_user_agent (answer));
  return TRUE;
}

static gboolean
answer_geetest (Answer  *answer,
                GError **error)
{
  const char *captcha_id = task_string (answer, "captchaId");
  g_autofree char *gen_time = NULL;
  g_autofree char *validate = NULL;
  g_autofree char *seccode = NULL;

  if (captcha_id == NULL)
    {
      /* version 3: gt + challenge */
      validate = derive_text (answer, "validate", HEX, 32);
      seccode = g_strconcat (validate, "|jordan", NULL);
      json_object_set_string_member (answer->solution, "challenge",
                                     task_string (answer, "challenge"));
      json_object_set_string_member (answer->solution, "validate", validate);
      json_object_set_string_member (answer->solution, "seccode", seccode);
      return TRUE;
    }

  gen_time = g_strdup_printf ("%" G_GINT64_FORMAT, answer->created_ms / 1000);
  json_object_set_string_member (answer->solution, "captcha_id", captcha_id);
  set_token (answer, "captcha_output", "", TOKEN_CHARS, 160);
  json_object_set_string_member (answer->solution, "gen_time", gen_time);
  set_token (answer, "lot_number", "", HEX, 32);
  set_token (answer, "pass_token", "", HEX, 64);
  json_object_set_string_member (answer->solution, "risk_type",
                                 task_string (answer, "riskType") != NULL
                                 ? task_string (answer, "riskType") : "slide");
  return TRUE;
}

static gboolean
answer_mtcaptcha (Answer  *answer,
                  GError **error)
{
  g_autofree char *ids = derive_text (answer, "token/ids", HEX, 16);
  g_autofree char *body = derive_text (answer, "token", TOKEN_CHARS, 120);
  const char *site_key = task_string (answer, "websiteKey");
  g_autofree char *token = g_strdup_printf ("v1(%.8s,%.8s,%s,%s)", ids, ids + 8,
                                            site_key != NULL ? site_key : "", body);

  json_object_set_string_member (answer->solution, "token", token);
  return TRUE;
}

/* --- Recognition tasks ------------------------------------------------------------ */

/* The answer of one image: the text of its capsolver-sandbox-answer
 * chunk, or drawn from the digest under @label. */
static char *
image_text (Answer     *answer,
            GBytes     *image,
            const char *label)
{
  const char *module = task_string (answer, "module");
  gboolean case_sensitive = FALSE;
  char *text = png_find_answer (image);

  if (text != NULL)
    return text;
  if (g_strcmp0 (module, "number") == 0)
    return derive_text (answer, label, DIGITS, 5);
  if (_cs_json_get_boolean (answer->task, "case", &case_sensitive) && case_sensitive)
    return derive_text (answer, label, MIXED_ALNUM, 6);
  return derive_text (answer, label, LOWER_ALNUM, 6);
}

#define MAX_TEXT_IMAGES 9

static gboolean
answer_image_to_text (Answer  *answer,
                      GError **error)
{
  g_autoptr(GPtrArray) images = decode_field_images (answer->task, "images", error);
  g_autoptr(GPtrArray) answers = NULL;
  g_autofree char *joined = NULL;
  JsonArray *array;

  if (images == NULL)
    return FALSE;
  if (images->len == 0)
    {
      g_autoptr(GPtrArray) body = decode_field_images (answer->task, "body", error);
      g_autofree char *text = NULL;

      if (body == NULL)
        return FALSE;
      if (body->len == 0)
        return answer_error (error, CS_ERROR_INVALID_TASK_DATA,
                             "missing required field body (or images)");
      text = image_text (answer, body->pdata[0], "text");
      json_object_set_string_member (answer->solution, "text", text);
      return TRUE;
    }

  if (g_strcmp0 (task_string (answer, "module"), "number") != 0)
    return answer_error (error, CS_ERROR_INVALID_TASK_DATA,
                         "field images is only accepted with module \"number\"");
  if (images->len > MAX_TEXT_IMAGES)
    return answer_error (error, CS_ERROR_INVALID_TASK_DATA,
                         "field images takes at most %d images", MAX_TEXT_IMAGES);

  answers = g_ptr_array_new_with_free_func (g_free);
  array = json_array_new ();
  for (guint i = 0; i < images->len; i++)
    {
      g_autofree char *label = g_strdup_printf ("answers/%u", i);
      char *text = image_text (answer, images->pdata[i], label);

      json_array_add_string_element (array, text);
      g_ptr_array_add (answers, text);
    }
  g_ptr_array_add (answers, NULL);
  joined = g_strjoinv (",", (char **) answers->pdata);
  json_object_set_string_member (answer->solution, "text", joined);
  json_object_set_array_member (answer->solution, "answers", array);
  return TRUE;
}

static gboolean
answer_recaptcha_classification (Answer  *answer,
                                 GError **error)
{
  const char *question = task_string (answer, "question");
  g_autoptr(GBytes) image = NULL;
  guint width = 0, height = 0;
  guint size;

  if (question == NULL || !g_str_has_prefix (question, "/m/"))
    return answer_error (error, CS_ERROR_UNKNOWN_QUESTION, "unknown question %s",
                         question != NULL ? question : "(none)");
  image = first_image (answer, "image", &width, &height, error);
  if (image == NULL)
    return FALSE;

  /* a single tile is 100 pixels wide; a grid 300 (3×3) or 450 (4×4) */
  if (width < 200)
    {
      json_object_set_string_member (answer->solution, "type", "single");
      json_object_set_boolean_member (answer->solution, "hasObject",
                                      derive_range (answer, "hasObject", 0, 1) == 1);
      json_object_set_int_member (answer->solution, "size", 1);
      return TRUE;
    }
  size = width >= 400 ? 4 : 3;
  json_object_set_string_member (answer->solution, "type", "multi");
  set_tile_objects (answer, "objects", size * size);
  json_object_set_int_member (answer->solution, "size", size);
  return TRUE;
}

#define AWS_GRID_TILES 9

static gboolean
answer_aws_waf_classification (Answer  *answer,
                               GError **error)
{
  const char *question = task_string (answer, "question");
  g_autoptr(GPtrArray) images = decode_field_images (answer->task, "images", error);
  guint width = DEFAULT_IMAGE_SIZE, height = DEFAULT_IMAGE_SIZE;

  if (images == NULL)
    return FALSE;
  if (question == NULL || images->len == 0)
    return answer_error (error, CS_ERROR_INVALID_TASK_DATA,
                         "missing required field %s", question == NULL ? "question" : "images");

  if (g_str_has_prefix (question, "aws:grid:"))
    {
      if (images->len != AWS_GRID_TILES)
        return answer_error (error, CS_ERROR_INVALID_TASK_DATA,
                             "question %s takes %d images", question, AWS_GRID_TILES);
      set_tile_objects (answer, "objects", AWS_GRID_TILES);
      return TRUE;
    }
  if (g_str_has_prefix (question, "aws:") && strstr (question, "toycarcity") != NULL)
    {
      JsonArray *box = json_array_new ();

      if (!image_get_size (images->pdata[0], &width, &height) || width == 0 || height == 0)
        width = height = DEFAULT_IMAGE_SIZE;
      json_array_add_int_element (box, derive_range (answer, "box/x", 0, width - 1));
      json_array_add_int_element (box, derive_range (answer, "box/y", 0, height - 1));
      json_object_set_array_member (answer->solution, "box", box);
      return TRUE;
    }
  if (g_str_has_prefix (question, "aws:") && strstr (question, "bifurcatedzoo") != NULL)
    {
      json_object_set_int_member (answer->solution, "distance",
                                  derive_range (answer, "distance", 20, 280));
      return TRUE;
    }
  return answer_error (error, CS_ERROR_UNKNOWN_QUESTION, "unknown question %s", question);
}

/* The member a VisionEngine module cannot do without. */
static gboolean
vision_requires (Answer      *answer,
                 const char  *member,
                 const char  *module,
                 GError     **error)
{
  if (task_string (answer, member) != NULL)
    return TRUE;
  return answer_error (error, CS_ERROR_INVALID_TASK_DATA,
                       "missing required field %s (module %s)", member, module);
}

static gboolean
answer_vision_engine (Answer  *answer,
                      GError **error)
{
  const char *module = task_string (answer, "module");
  guint width = 0, height = 0;
  g_autoptr(GBytes) image = first_image (answer, "image", &width, &height, error);

  if (image == NULL)
    return FALSE;

  if (g_strcmp0 (module, "slider_1") == 0)
    {
      g_autoptr(GBytes) background = NULL;

      if (!vision_requires (answer, "imageBackground", module, error))
        return FALSE;
      background = first_image (answer, "imageBackground", &width, &height, error);
      if (background == NULL)
        return FALSE;
      json_object_set_int_member (answer->solution, "distance",
                                  derive_range (answer, "distance", MIN (20, width / 4),
                                                width - MIN (20, width / 4)));
    }
  else if (g_strcmp0 (module, "rotate_1") == 0 || g_strcmp0 (module, "rotate_2") == 0)
    {
      if (g_strcmp0 (module, "rotate_1") == 0 &&
          !vision_requires (answer, "imageBackground", module, error))
        return FALSE;
      json_object_set_int_member (answer->solution, "angle",
                                  derive_range (answer, "angle", 0, 359));
    }
  else if (g_strcmp0 (module, "space_detection") == 0)
    {
      if (!vision_requires (answer, "question", module, error))
        return FALSE;
      json_object_set_array_member (answer->solution, "box",
                                    derive_box (answer, "box", width, height));
    }
  else if (g_strcmp0 (module, "shein") == 0)
    {
      JsonArray *rects;
      gint64 n_rects;

      if (!vision_requires (answer, "question", module, error))
        return FALSE;
      rects = json_array_new ();
      n_rects = derive_range (answer, "rects", 1, 3);
      for (gint64 i = 0; i < n_rects; i++)
        {
          g_autofree char *label = g_strdup_printf ("rects/%" G_GINT64_FORMAT, i);
          g_autoptr(JsonArray) box = derive_box (answer, label, width, height);
          JsonObject *rect = json_object_new ();

          json_object_set_int_member (rect, "x1", json_array_get_int_element (box, 0));
          json_object_set_int_member (rect, "y1", json_array_get_int_element (box, 1));
          json_object_set_int_member (rect, "x2", json_array_get_int_element (box, 2));
          json_object_set_int_member (rect, "y2", json_array_get_int_element (box, 3));
          json_array_add_object_element (rects, rect);
        }
      json_object_set_array_member (answer->solution, "rects", rects);
    }
  else if (g_strcmp0 (module, "ocr_gif") == 0)
    set_token (answer, "text", "", LOWER_ALNUM, 6);
  else
    return answer_error (error, CS_ERROR_INVALID_TASK_DATA,
                         "module %s is not supported", module);
  return TRUE;
}

/* --- Dispatch ------------------------------------------------------------------------ */

typedef gboolean (*AnswerFunc) (Answer  *answer,
                                GError **error);

static const struct {
  const char *family;
  AnswerFunc  func;
} answer_funcs[] = {
  { "image-to-text", answer_image_to_text },
  { "recaptcha-v2", answer_recaptcha },
  { "recaptcha-v3", answer_recaptcha },
  { "turnstile", answer_turnstile },
  { "cloudflare-challenge", answer_cloudflare_challenge },
  { "aws-waf", answer_aws_waf },
  { "datadome", answer_datadome },
  { "geetest", answer_geetest },
  { "mtcaptcha", answer_mtcaptcha },
  { "friendly-captcha", answer_token },
  { "yandex", answer_token },
  { "recaptcha-classification", answer_recaptcha_classification },
  { "aws-waf-classification", answer_aws_waf_classification },
  { "vision-engine", answer_vision_engine },
};

/* The solution of a validated task whose images were checked. Every family
 * of the table has its answer here: a family added without one is refused,
 * so the test that solves every type of the table names it. */
JsonObject *
_cs_sandbox_answer (const CsTaskFamily  *family,
                    JsonObject          *task,
                    gint64               created_ms,
                    guint               *solve_ms,
                    GError             **error)
{
  Answer answer = { family, task, json_object_new (), created_ms, { 0, } };
  AnswerFunc func = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (answer_funcs); i++)
    if (g_strcmp0 (answer_funcs[i].family, family->name) == 0)
      func = answer_funcs[i].func;
  if (func == NULL)
    {
      json_object_unref (answer.solution);
      answer_error (error, CS_ERROR_TASK_NOT_SUPPORTED,
                    "the sandbox has no answer for task type %s", family->name);
      return NULL;
    }

  compute_seed (task, answer.seed);
  *solve_ms = draw_solve_time (&answer);
  if (!func (&answer, error))
    {
      json_object_unref (answer.solution);
      return NULL;
    }
  return answer.solution;
}
