#!/usr/bin/python3
"""gentree.py: writes a deterministic synthetic static tree for `make bench`.

usage: gentree.py DIR [NFILES]   (default 50000)

The same NFILES always gives the same bytes (fixed seed, fixed mtimes), so
runs on different days and machines collect the same input.  The tree looks
like a big project's STATICFILES_DIRS: NFILES/500 packages, each with nested
css/, js/, img/, fonts/ and data/ folders; stylesheets reference images,
fonts and earlier stylesheets of their package through url() and @import
(never a cycle, never a missing file, so Django 3.2 accepts it), scripts
carry //# sourceMappingURL comments next to their .map, images and fonts
are incompressible binary.  Text is drawn from a small vocabulary so it
compresses like real code.
"""
import os
import random
import sys

MTIME = 1700000000  # fixed, so size+mtime caches see the same tree every time

WORDS = ("color margin padding border display flex grid button navbar card "
         "modal dropdown tooltip active disabled primary secondary success "
         "danger warning info light dark container row col header footer "
         "content wrapper item list group input form label select toggle "
         "collapse show fade transition transform opacity width height").split()
PROPS = ("color", "background-color", "margin", "padding", "border-radius",
         "font-size", "line-height", "display", "width", "height", "opacity")
VALUES = ("0", "1rem", ".5rem", "#fff", "#212529", "#0d6efd", "auto", "100%",
          "block", "inline-block", "none", "1.5", "inherit", "transparent")


def words(rng, n):
    return "-".join(rng.choice(WORDS) for _ in range(n))


def css_rule(rng):
    sel = "." + words(rng, rng.randint(1, 3))
    body = "".join("  %s: %s;\n" % (rng.choice(PROPS), rng.choice(VALUES))
                   for _ in range(rng.randint(2, 6)))
    return "%s {\n%s}\n" % (sel, body)


def js_func(rng):
    name = words(rng, 2).replace("-", "_")
    return ("function %s(el, opts) {\n  var %s = opts.%s || %d;\n"
            "  el.classList.add('%s');\n  return %s * 2;\n}\n"
            % (name, rng.choice(WORDS), rng.choice(WORDS), rng.randint(0, 999),
               words(rng, 2), rng.choice(WORDS)))


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)
    os.utime(path, (MTIME, MTIME))


def fake_png(rng, size):
    return b"\x89PNG\r\n\x1a\n" + rng.randbytes(size - 8)


def gen_package(root, p, nfiles, rng):
    """One package of about nfiles files under root/pkgNNN/."""
    base = "pkg%03d" % p
    # Shares of the file count: images 40%, css 16%, js 14% + maps 14%,
    # fonts 4%, json 6%, svg 3%, html/txt 3%.
    n_img = nfiles * 40 // 100
    n_css = nfiles * 16 // 100
    n_js = nfiles * 14 // 100
    n_font = nfiles * 4 // 100
    n_json = nfiles * 6 // 100
    n_svg = nfiles * 3 // 100
    n_txt = nfiles - n_img - n_css - 2 * n_js - n_font - n_json - n_svg

    imgs = []
    for i in range(n_img):
        rel = "img/set%d/%s/i%04d.png" % (i % 8, "ab"[i % 2], i)
        write(os.path.join(root, base, rel), fake_png(rng, rng.randint(200, 4000)))
        imgs.append(rel)
    fonts = []
    for i in range(n_font):
        rel = "fonts/f%03d.woff2" % i
        write(os.path.join(root, base, rel), b"wOF2" + rng.randbytes(rng.randint(2000, 10000)))
        fonts.append(rel)
    for i in range(n_svg):
        rel = "img/icons/s%03d.svg" % i
        paths = "".join('<path d="M%d %dL%d %dZ"/>' % tuple(rng.randint(0, 64) for _ in range(4))
                        for _ in range(rng.randint(3, 20)))
        write(os.path.join(root, base, rel),
              '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">%s</svg>\n' % paths)
        imgs.append(rel)

    css = []
    chain = {}  # css -> longest @import chain below it
    for i in range(n_css):
        depth = i % 3
        folder = "css" + "".join("/d%d" % ((i >> k) % 4) for k in range(depth))
        rel = "%s/c%04d.css" % (folder, i)
        up = "../" * (depth + 1)
        lines = ["/* %s %s */\n" % (base, rel)]
        # @import only earlier files (no cycles), in chains of at most 3:
        # Django 3.2 gives up after 5 post-processing passes.
        chain[rel] = 0
        for j in rng.sample(css, min(len(css), rng.randint(0, 2))):
            if chain[j] < 3:
                lines.append('@import "%s%s";\n' % (up, j))
                chain[rel] = max(chain[rel], chain[j] + 1)
        for _ in range(rng.randint(6, 30)):
            lines.append(css_rule(rng))
        for _ in range(rng.randint(2, 6)):
            img = rng.choice(imgs)
            q = rng.choice(('', '"', "'"))
            lines.append(".%s { background: url(%s%s%s%s) no-repeat; }\n"
                         % (words(rng, 2), q, up, img, q))
        if fonts and rng.random() < 0.3:
            f = rng.choice(fonts)
            lines.append('@font-face { font-family: "%s"; src: url("%s%s") format("woff2"); }\n'
                         % (words(rng, 1), up, f))
        write(os.path.join(root, base, rel), "".join(lines))
        css.append(rel)

    for i in range(n_js):
        rel = "js/%s/m%04d.js" % (("lib", "app", "vendor/x")[i % 3], i)
        body = "".join(js_func(rng) for _ in range(rng.randint(4, 25)))
        name = os.path.basename(rel)
        write(os.path.join(root, base, rel),
              "'use strict';\n%s//# sourceMappingURL=%s.map\n" % (body, name))
        mappings = ";".join("AAAA," + ",".join("ACA" for _ in range(rng.randint(1, 8)))
                            for _ in range(rng.randint(20, 120)))
        write(os.path.join(root, base, rel + ".map"),
              '{"version":3,"file":"%s","sources":["../src/%s"],"names":[],"mappings":"%s"}\n'
              % (name, name, mappings))

    for i in range(n_json):
        rel = "data/j%04d.json" % i
        items = ",".join('"%s":%d' % (words(rng, 2), rng.randint(0, 1 << 20))
                         for _ in range(rng.randint(5, 60)))
        write(os.path.join(root, base, rel), "{%s}\n" % items)
    for i in range(n_txt):
        rel = "html/t%04d.%s" % (i, ("html", "txt")[i % 2])
        write(os.path.join(root, base, rel),
              "\n".join(words(rng, 8) for _ in range(rng.randint(5, 60))) + "\n")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: gentree.py DIR [NFILES]")
    root = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
    per = 500
    npkg = max(1, total // per)
    for p in range(npkg):
        n = per if p < npkg - 1 else total - per * (npkg - 1)
        gen_package(root, p, n, random.Random(p * 7919 + total))
    # Directories too, so the tree is identical byte for byte and in mtimes.
    for dirpath, _, _ in os.walk(root):
        os.utime(dirpath, (MTIME, MTIME))


if __name__ == "__main__":
    main()
