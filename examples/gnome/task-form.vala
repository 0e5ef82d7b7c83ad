/* task-form.vala: the form of any task type, built from the schema
 *
 * The rows come from CapSolver.TaskType.get_fields (): one per field, by
 * its kind (text, a switch, image files), titled by its member, marked
 * when required. Nothing here names a task type, so a type added to the
 * library gets its form without a line of this file.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

namespace CapSolverGnome {

/* A proxy for the types that need one, in the library's text form. */
const string EXAMPLE_PROXY = "http:192.0.2.10:8080:user:pass";

/* One field of the form: its row, and where its value is. */
public class FieldRow : Object {
  public unowned CapSolver.TaskField field;
  public Adw.PreferencesRow row;
  public Adw.EntryRow? entry;          /* text, numbers, JSON */
  public Gtk.Switch? toggle;           /* booleans */
  public Gtk.Button? example_button;   /* fills in the schema's example */
  public GenericArray<Bytes> images = new GenericArray<Bytes> ();  /* image fields */

  public FieldRow (CapSolver.TaskField field) {
    this.field = field;
  }

  public string member { get { return field.get_member (); } }

  public bool is_empty () {
    if (field.is_image ())
      return images.length == 0;
    if (toggle != null)
      return !toggle.active;
    return entry.text.strip () == "";
  }
}

public class TaskForm : Adw.PreferencesGroup {
  public unowned CapSolver.TaskType? task_type;
  public GenericArray<FieldRow> rows = new GenericArray<FieldRow> ();
  public Adw.EntryRow? proxy_row;
  GenericArray<Gtk.Widget> children = new GenericArray<Gtk.Widget> ();

  /* What a field is called on its row. */
  static string title_of (CapSolver.TaskField field) {
    unowned string? unless = field.get_required_unless ();
    if (field.is_required () && unless != null)
      return "%s (required unless %s)".printf (field.get_member (), unless);
    if (field.is_required ())
      return "%s (required)".printf (field.get_member ());
    return field.get_member ();
  }

  static string hint_of (CapSolver.TaskField field) {
    switch (field.get_kind ()) {
    case CapSolver.TaskFieldKind.STRING:
      return "text";
    case CapSolver.TaskFieldKind.COOKIES:
      return "cookies: name=value; name2=value2";
    case CapSolver.TaskFieldKind.INT:
      return "a whole number";
    case CapSolver.TaskFieldKind.DOUBLE:
      return "a number";
    case CapSolver.TaskFieldKind.STRV:
      return "a JSON array of strings";
    default:
      return "a JSON object";
    }
  }

  void add_row (Adw.PreferencesRow row) {
    add (row);
    children.add (row);
  }

  public void show_type (CapSolver.TaskType type) {
    foreach (var child in children)
      remove (child);
    children = new GenericArray<Gtk.Widget> ();
    rows = new GenericArray<FieldRow> ();
    proxy_row = null;
    task_type = type;

    title = "Fields of %s".printf (type.get_name ());
    description = string.joinv (" · ", type.dup_wire_names ());

    foreach (unowned CapSolver.TaskField field in type.get_fields ()) {
      var field_row = new FieldRow (field);
      unowned string? example = field.get_example ();

      if (field.is_image ()) {
        var row = new Adw.ActionRow ();
        row.title = title_of (field);
        row.subtitle = "No image";
        var choose = new Gtk.Button.with_label ("Choose…");
        choose.valign = Gtk.Align.CENTER;
        choose.clicked.connect (() => choose_images (field_row));
        row.add_suffix (choose);
        field_row.row = row;
      } else if (field.get_kind () == CapSolver.TaskFieldKind.BOOLEAN) {
        var row = new Adw.ActionRow ();
        row.title = title_of (field);
        field_row.toggle = new Gtk.Switch ();
        field_row.toggle.valign = Gtk.Align.CENTER;
        row.add_suffix (field_row.toggle);
        row.activatable_widget = field_row.toggle;
        field_row.row = row;
      } else {
        var row = new Adw.EntryRow ();
        row.title = title_of (field);
        row.tooltip_text = example != null ? "%s, such as %s".printf (hint_of (field), example)
                                           : hint_of (field);
        if (example != null) {
          /* Fills the example in: the schema's value, as a user would type it. */
          field_row.example_button = new Gtk.Button.with_label ("Example");
          field_row.example_button.valign = Gtk.Align.CENTER;
          field_row.example_button.add_css_class ("flat");
          field_row.example_button.tooltip_text = "Use the example: %s".printf (example);
          field_row.example_button.clicked.connect (() => { row.text = example; });
          row.add_suffix (field_row.example_button);
        }
        field_row.entry = row;
        field_row.row = row;
      }
      rows.add (field_row);
      add_row (field_row.row);
    }

    if (type.get_proxy_requirement () != CapSolver.ProxyRequirement.NONE) {
      proxy_row = new Adw.EntryRow ();
      proxy_row.title = type.get_proxy_requirement () == CapSolver.ProxyRequirement.REQUIRED
                        ? "proxy (required)" : "proxy";
      proxy_row.tooltip_text = "scheme:host:port[:login:password], such as %s".printf (
        EXAMPLE_PROXY);
      add_row (proxy_row);
    }
  }

  void set_images (FieldRow field_row, GenericArray<Bytes> images, string what) {
    field_row.images = images;
    ((Adw.ActionRow) field_row.row).subtitle = what;
  }

  void choose_images (FieldRow field_row) {
    var chooser = new Gtk.FileChooserNative ("Choose an image", (Gtk.Window) get_root (),
                                             Gtk.FileChooserAction.OPEN, "_Open", "_Cancel");
    var filter = new Gtk.FileFilter ();
    filter.name = "PNG, JPEG, GIF or WebP";
    foreach (unowned string type in new string[] { "image/png", "image/jpeg", "image/gif",
                                                    "image/webp" })
      filter.add_mime_type (type);
    chooser.add_filter (filter);
    chooser.select_multiple = field_row.field.get_kind () == CapSolver.TaskFieldKind.STRV;
    chooser.response.connect ((response) => {
      if (response == Gtk.ResponseType.ACCEPT) {
        var images = new GenericArray<Bytes> ();
        var names = new GenericArray<string> ();
        var files = chooser.get_files ();
        for (uint i = 0; i < files.get_n_items (); i++) {
          var file = (File) files.get_item (i);
          try {
            images.add (file.load_bytes ());
            names.add (file.get_basename ());
          } catch (Error e) {
            names.add ("%s (%s)".printf (file.get_basename (), e.message));
          }
        }
        set_images (field_row, images, string.joinv (", ", names.data));
      }
      chooser.destroy ();
    });
    chooser.show ();
  }

  /* Fills the empty required fields with the schema's examples (and
   * @image for images), and the proxy of a type that needs one: a task
   * the sandbox solves. Of two fields that stand for each other (gt or
   * captchaId), the first. */
  public void fill_examples (Bytes image) {
    var chosen = new GenericSet<string> (str_hash, str_equal);
    foreach (var field_row in rows) {
      unowned string? unless = field_row.field.get_required_unless ();
      if (!field_row.field.is_required () || (unless != null && chosen.contains (unless)))
        continue;
      chosen.add (field_row.member);
      if (!field_row.is_empty ())
        continue;
      if (field_row.field.is_image ()) {
        var images = new GenericArray<Bytes> ();
        images.add (image);
        set_images (field_row, images, "sample-captcha.png");
      } else if (field_row.toggle != null) {
        field_row.toggle.active = field_row.field.get_example () == "true";
      } else if (field_row.field.get_example () != null) {
        field_row.entry.text = field_row.field.get_example ();
      }
    }
    if (proxy_row != null && proxy_row.text == "" &&
        task_type.get_proxy_requirement () == CapSolver.ProxyRequirement.REQUIRED)
      proxy_row.text = EXAMPLE_PROXY;
  }

  /* The task the form describes, checked as the service would. */
  public CapSolver.Task build_task () throws Error {
    var task = task_type.new_task ();

    if (proxy_row != null && proxy_row.text.strip () != "") {
      try {
        task.proxy = new CapSolver.Proxy.from_string (proxy_row.text.strip ());
      } catch (Error e) {
        throw new FormError.INVALID_VALUE ("proxy: %s", e.message);
      }
    }
    foreach (var field_row in rows) {
      unowned string member = field_row.member;
      CapSolver.TaskFieldKind kind = field_row.field.get_kind ();

      if (field_row.is_empty ())
        continue;
      if (field_row.field.is_image () && kind == CapSolver.TaskFieldKind.STRV) {
        /* Each image is checked as set_image () checks one. */
        var check = new CapSolver.Task ("ImageToTextTask");
        var array = new Json.Array ();
        foreach (var image in field_row.images) {
          check.set_image ("body", image);
          array.add_string_element (Base64.encode (image.get_data ()));
        }
        var node = new Json.Node (Json.NodeType.ARRAY);
        node.set_array (array);
        task.set_json (member, node);
      } else if (field_row.field.is_image ()) {
        task.set_image (member, field_row.images[0]);
      } else if (kind == CapSolver.TaskFieldKind.BOOLEAN) {
        task.set_boolean (member, true);
      } else if (kind == CapSolver.TaskFieldKind.STRING ||
                 kind == CapSolver.TaskFieldKind.COOKIES) {
        task.set_string (member, field_row.entry.text.strip ());
      } else {
        string text = field_row.entry.text.strip ();
        try {
          task.set_json (member, Json.from_string (text));
        } catch (Error e) {
          throw new FormError.INVALID_VALUE ("%s: “%s” is not %s", member, text,
                                             hint_of (field_row.field));
        }
      }
    }
    task.validate ();
    return task;
  }
}

}
