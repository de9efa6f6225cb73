#!/usr/bin/env bash
# Builds ShiftSR's training and held-out photo sets from Debian packages, with their licences; no root needed.
#
#   bash training/data/fetch-photos.sh [TARGET]        (default: ~/.cache/shiftsr/photos)
#
# TARGET/train/     photos to train on        TARGET/heldout/   photos never trained on (validation)
# TARGET/manifest.tsv   one row per photo: file, package, version, licence, size, source, processing
# TARGET/LICENSES.md    licences and the attributions CC-BY / CC-BY-SA photos require
# TARGET/.work/         downloaded .deb files and their unpacked trees (~1 GB cache; safe to delete)
#
# Needs: apt-get (package lists present: `apt-get update` run once, as root, beforehand), dpkg-deb,
# Debian's python3 with python3-pil (WebP support). The optional zstd CLI (package zstd) unpacks
# zstd-compressed Qt resources; none of the resources used today needs it.
# Idempotent: downloads, unpacking and conversions already done are skipped; train/ and heldout/
# are managed by this script (files it did not select are removed).
#
# Sources (all from Debian 12 main):
#   gcompris-qt-data  real photos in the Qt resource files (.rcc) of six activities, lossy WebP at
#                     1024-1920 px: downscaled 2x (area) so compression artefacts fall below a pixel
#   opencv-doc        classic test photos from the samples (no diagrams, text, renders or logos)
#   lxqt-themes       camera-photo wallpapers
#   plasma-workspace-wallpapers, lomiri-wallpapers-20.04   camera-photo wallpapers (fog, sky,
#                     bokeh: the large smooth areas the other sources lack), largest size each,
#                     downscaled 2x (area) to hide their JPEG compression
#   python3-skimage, python3-sklearn   their sample photos
#   held out: mate-backgrounds nature/ (12), palapeli-data puzzle collection (5), and skimage's
#   chelsea.png (the README's demo input, so it must not be trained on)
set -euo pipefail

TARGET="${1:-$HOME/.cache/shiftsr/photos}"
WORK="$TARGET/.work"
PACKAGES=(gcompris-qt-data opencv-doc lxqt-themes python3-skimage python3-sklearn
          plasma-workspace-wallpapers lomiri-wallpapers-20.04 mate-backgrounds palapeli-data)

die() { echo "fetch-photos: $*" >&2; exit 1; }
latest_deb() { find "$WORK/debs" -maxdepth 1 -name "${1}_*.deb" | sort -V | tail -n 1; }

for tool in apt-get dpkg-deb; do
    command -v "$tool" >/dev/null || die "'$tool' not found (this script needs Debian or a derivative)"
done
# Debian's interpreter: a pyenv or venv python3 first on PATH usually lacks python3-pil.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || true)
[ -n "$PY" ] || die "python3 not found (apt-get install python3)"
"$PY" -c 'from PIL import features; import sys; sys.exit(0 if features.check("webp") else 1)' 2>/dev/null ||
    die "$PY cannot read WebP with PIL: install python3-pil (as root: apt-get install python3-pil)"

mkdir -p "$WORK/debs" "$WORK/root"
: > "$WORK/packages.tsv.new"
for pkg in "${PACKAGES[@]}"; do
    deb=$(latest_deb "$pkg")
    if [ -z "$deb" ]; then
        echo "fetch-photos: downloading $pkg"
        # apt-get download works as any user; as root it warns that it cannot drop to _apt.
        if ! (cd "$WORK/debs" && apt-get download -q "$pkg" 2>&1 | grep -v "unsandboxed" >&2; exit "${PIPESTATUS[0]}"); then
            die "cannot download $pkg: run 'apt-get update' as root once (the package lists may be missing), then retry"
        fi
        deb=$(latest_deb "$pkg")
        [ -n "$deb" ] || die "apt-get download left no .deb for $pkg"
    fi
    dest="$WORK/root/$pkg"
    if [ "$(cat "$dest/.unpacked-from" 2>/dev/null || true)" != "$(basename "$deb")" ]; then
        echo "fetch-photos: unpacking $(basename "$deb")"
        rm -rf "$dest"
        mkdir -p "$dest"
        dpkg-deb -x "$deb" "$dest"
        basename "$deb" > "$dest/.unpacked-from"
    fi
    printf '%s\t%s\t%s\n' "$pkg" "$(dpkg-deb -f "$deb" Version)" "$dest" >> "$WORK/packages.tsv.new"
done
mv "$WORK/packages.tsv.new" "$WORK/packages.tsv"

exec "$PY" - "$TARGET" "$WORK" <<'PYTHON'
import difflib, fnmatch, io, json, os, re, shutil, struct, subprocess, sys, zlib
from PIL import Image

TARGET, WORK = sys.argv[1], sys.argv[2]
MIN_SHORT_SIDE = 240  # a 256 crop then needs at most a sliver of reflection padding

packages = {}
for line in open(os.path.join(WORK, 'packages.tsv'), encoding='utf-8'):
    name, version, root = line.rstrip('\n').split('\t')
    packages[name] = (version, root)

def log(msg):
    print('fetch-photos: ' + msg, flush=True)

# ---------------------------------------------------------------- licences (Debian DEP-5)

def parse_dep5(path):
    """Stanzas of a machine-readable debian/copyright: [(patterns, copyright, licence)]."""
    stanzas, cur, key = [], {}, None
    def flush():
        if 'files' in cur and 'license' in cur:
            stanzas.append((cur['files'].split(), cur.get('copyright', '').strip(),
                            cur['license'].split('\n')[0].strip()))
    for raw in open(path, encoding='utf-8', errors='replace'):
        line = raw.rstrip('\n')
        if not line.strip():
            flush(); cur, key = {}, None
            continue
        if line[0] in ' \t' and key:
            cur[key] += '\n' + line.strip()
            continue
        m = re.match(r'([A-Za-z-]+):\s*(.*)', line)
        if m:
            key = m.group(1).lower()
            cur[key] = m.group(2)
    flush()
    return stanzas

def dep5_licence(pkg, upstream_path):
    """(licence, first copyright line) of the last stanza matching a path of the upstream source
    tree (DEP-5: '*' also matches '/', and the last match wins)."""
    path = os.path.join(packages[pkg][1], 'usr/share/doc', pkg, 'copyright')
    best = None
    for patterns, copyright, licence in parse_dep5(path):
        if any(fnmatch.fnmatchcase(upstream_path, pat) for pat in patterns):
            best = (licence, copyright.split('\n')[0])
    return best or ('see /usr/share/doc/%s/copyright' % pkg, '')

# ---------------------------------------------------------------- Qt resource files (.rcc)

class RccError(Exception):
    pass

def read_rcc(path):
    """Entries of a Qt binary resource file: {path: bytes or None (undecodable)}, notes.

    Layout (qtbase src/corelib/io/qresource.cpp, rcc.cpp): "qres", version, tree, payload and
    names offsets (big endian u32; version 3 adds a flags word). Tree nodes are 14 bytes (+8 for
    a modification time from version 2): name offset u32, flags u16 (1 zlib, 2 directory,
    4 zstd), then child count u32 + first child u32, or country u16 + language u16 + payload
    offset u32. Names: length u16 (UTF-16 units), hash u32, UTF-16BE text. Payload: size u32 +
    bytes; zlib payloads start with the uncompressed size (qCompress). Every read is
    bounds-checked, so a damaged file fails with RccError instead of garbage.
    """
    data = open(path, 'rb').read()
    def u16(o):
        if o < 0 or o + 2 > len(data):
            raise RccError('offset %d outside the file' % o)
        return struct.unpack_from('>H', data, o)[0]
    def u32(o):
        if o < 0 or o + 4 > len(data):
            raise RccError('offset %d outside the file' % o)
        return struct.unpack_from('>I', data, o)[0]
    def span(o, n):
        if o < 0 or n < 0 or o + n > len(data):
            raise RccError('%d bytes at %d outside the file' % (n, o))
        return data[o:o + n]
    if data[:4] != b'qres':
        raise RccError('not a Qt resource file (no "qres" magic)')
    version = u32(4)
    if version not in (1, 2, 3):
        raise RccError('unsupported rcc version %d' % version)
    tree, payload, names = u32(8), u32(12), u32(16)
    node_size = 14 if version == 1 else 22
    have_zstd = shutil.which('zstd') is not None
    entries, notes, seen = {}, [], set()

    def name_of(node):
        o = names + u32(tree + node * node_size)
        return span(o + 6, 2 * u16(o)).decode('utf-16-be')

    def walk(node, prefix, depth):
        if node in seen or depth > 64:
            raise RccError('resource tree has a cycle')
        seen.add(node)
        o = tree + node * node_size
        flags = u16(o + 4)
        if flags & 2:
            count, first = u32(o + 6), u32(o + 10)
            if count > 1_000_000:
                raise RccError('implausible child count %d' % count)
            for child in range(first, first + count):
                walk(child, prefix + '/' + name_of(child), depth + 1)
            return
        at = payload + u32(o + 10)
        blob = span(at + 4, u32(at))
        if flags & 1:
            if len(blob) < 4:
                raise RccError('%s: truncated zlib payload' % prefix)
            expected = struct.unpack_from('>I', blob, 0)[0]
            try:
                blob = zlib.decompress(blob[4:])
            except zlib.error as e:
                raise RccError('%s: %s' % (prefix, e))
            if len(blob) != expected:
                raise RccError('%s: zlib payload has %d bytes, header says %d' % (prefix, len(blob), expected))
        elif flags & 4:
            if not have_zstd:
                notes.append('%s: zstd-compressed and no zstd CLI (apt-get install zstd): skipped' % prefix)
                entries[prefix] = None
                return
            r = subprocess.run(['zstd', '-d', '-q', '-c'], input=blob, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            if r.returncode != 0:
                notes.append('%s: zstd could not decompress it: skipped' % prefix)
                entries[prefix] = None
                return
            blob = r.stdout
        entries[prefix] = blob

    walk(0, '', 0)
    return entries, notes

def parse_readme(text):
    """GCompris resource READMEs: blank-line separated blocks of 'Key: value' with a Files list."""
    info = {}
    for block in re.split(r'\n\s*\n', text):
        fields, files, key = {}, [], None
        for line in block.splitlines():
            m = re.match(r'(Copyright|License|Source|Comments|Files):\s*(.*)', line.strip())
            if m:
                key = m.group(1)
                if key == 'Files':
                    files += m.group(2).split()
                else:
                    fields[key] = m.group(2).strip()
            elif key == 'Files' and line.strip():
                files += line.split()
        for f in files:
            info[f] = fields
    return info

def normalise_licence(text):
    t = text.strip().replace('_', ' ')
    u = t.upper().replace(' ', '-')
    if u in ('PUBLIC-DOMAIN', 'PUBLIC-DOMAIN.'):
        return 'public domain'
    m = re.match(r'CC-?(BY(?:-SA)?|0)-?(\d\.\d)?', u)
    if m:
        kind, ver = m.group(1), m.group(2)
        return 'CC0-1.0' if kind == '0' else 'CC-%s-%s' % (kind, ver or '?')
    m = re.match(r'(L?GPL)-?V?(\d)(\+?)$', u)  # "LGPLv3" (KDE metadata) -> LGPL-3
    if m:
        return '%s-%s%s' % m.groups()
    return t

# ---------------------------------------------------------------- selection

photos = []  # dicts: set, file, pkg, source, licence, author, url, changes, image | path

def add(set_, file, pkg, source, licence, author='', url='', changes='', path=None, image=None):
    photos.append(dict(set=set_, file=file, pkg=pkg, source=source, licence=licence,
                       author=author, url=url, changes=changes, path=path, image=image))

def root(pkg, rel):
    return os.path.join(packages[pkg][1], rel)

# gcompris-qt-data: photos only (the activities' cartoons and fish sprites are small).
GCOMPRIS_ACTIVITIES = ['erase', 'explore_monuments', 'explore_world_animals',
                       'explore_farm_animals', 'explore_world_music', 'clickgame']
for act in GCOMPRIS_ACTIVITIES:
    rcc = root('gcompris-qt-data', 'usr/share/gcompris-qt/rcc/%s.rcc' % act)
    try:
        entries, notes = read_rcc(rcc)
    except (OSError, RccError) as e:
        log('skipping %s: %s' % (rcc, e))
        continue
    for n in notes:
        log(n)
    readmes = {}
    for p, blob in entries.items():
        if p.endswith('/README') and blob is not None:
            readmes[os.path.dirname(p)] = parse_readme(blob.decode('utf-8', 'replace'))
    for p in sorted(entries):
        blob = entries[p]
        if not p.lower().endswith('.webp') or blob is None:
            continue
        im = Image.open(io.BytesIO(blob))
        if max(im.size) < 1000 or min(im.size) < 400:
            continue  # sprites and icons, not photos
        meta = {}
        d = os.path.dirname(p)
        while d not in ('', '/') and not meta:  # nearest README up the tree that names the file
            if d in readmes:
                rel = p[len(d) + 1:]
                meta = readmes[d].get(rel) or readmes[d].get(os.path.basename(p)) or {}
                if not meta:  # upstream typos ("audaPalatina" for aulaPalatina)
                    close = difflib.get_close_matches(rel, list(readmes[d]), n=1, cutoff=0.9)
                    if close:
                        log('%s: licence taken from README entry %s' % (p, close[0]))
                        meta = readmes[d][close[0]]
            d = os.path.dirname(d)
        if not meta.get('License'):
            log('skipped %s: its licence is not stated in the activity README' % p)
            continue
        licence = normalise_licence(meta['License'])
        stem = p.split('/resource/', 1)[-1].rsplit('.', 1)[0].replace('/', '-')
        add('train', 'gcompris-%s-%s.png' % (act, stem), 'gcompris-qt-data',
            'usr/share/gcompris-qt/rcc/%s.rcc:%s' % (act, p), licence,
            author=meta.get('Copyright', ''), url=meta.get('Source', ''),
            changes='WebP decoded, downscaled 2x (area average); upstream: ' +
                    (meta.get('Comments') or 'see source'),
            image=('half', blob))

# opencv-doc: real photos only; one view of each stereo/flow pair; no text, renders, paintings,
# logos or synthetic images; messi5.jpg left out (press photo of a person, provenance unclear).
OPENCV = ['data/aero1.jpg', 'data/aero3.jpg', 'data/aloeL.jpg', 'data/apple.jpg',
          'data/baboon.jpg', 'data/board.jpg', 'data/building.jpg', 'data/butterfly.jpg',
          'data/ela_original.jpg', 'data/fruits.jpg', 'data/graf1.png', 'data/home.jpg',
          'data/leuvenA.jpg', 'data/orange.jpg', 'data/rubberwhale1.png', 'data/smarties.png',
          'data/squirrel_cls.jpg', 'data/stuff.jpg', 'alphamat/input_images/plant.jpg',
          'text/scenetext01.jpg', 'text/scenetext02.jpg', 'text/scenetext03.jpg',
          'text/scenetext04.jpg', 'text/scenetext05.jpg', 'text/scenetext06.jpg',
          'hfs/data/000.jpg', 'hfs/data/001.jpg', 'hfs/data/002.jpg', 'reg/home.png']
for rel in OPENCV:
    src = 'usr/share/doc/opencv-doc/examples/' + rel
    # data/ is the main tree's samples/data; the rest are contrib modules' samples.
    module, _, rest = rel.partition('/')
    upstream = 'samples/' + rel if module == 'data' else 'contrib/modules/%s/samples/%s' % (module, rest)
    lic, holder = dep5_licence('opencv-doc', upstream)
    add('train', 'opencv-' + rel.replace('data/', '', 1).replace('/', '-'), 'opencv-doc', src,
        lic, author=holder or 'OpenCV sample data', path=root('opencv-doc', src))

# lxqt-themes: the camera photographs among the wallpapers.
LXQT = ['Butterfly-Kenneth-Wimer.jpg', 'Valendas.png', 'after-the-rain.jpg', 'appleflower.png',
        'beam.png', 'butterfly.png', 'cloud.png', 'drop.png', 'flowers.png', 'fog.jpg',
        'this-is-not-windows.jpg']
for name in LXQT:
    src = 'usr/share/lxqt/wallpapers/' + name
    lic, holder = dep5_licence('lxqt-themes', 'wallpapers/' + name)
    add('train', 'lxqt-' + name, 'lxqt-themes', src, lic, author=holder,
        path=root('lxqt-themes', src))

# plasma-workspace-wallpapers: the camera photographs (not the renders and drawings), each
# wallpaper's largest image; licence and author from its metadata.json.
PLASMA = ['BytheWater', 'ColdRipple', 'ColorfulCups', 'DarkestHour', 'EveningGlow', 'FallenLeaf',
          'Grey', 'Kite', 'OneStandsOut', 'Path', 'summer_1am']
PLASMA_DIR = 'usr/share/wallpapers/'
def pixels(name):
    m = re.match(r'(\d+)x(\d+)\.', name)
    return int(m.group(1)) * int(m.group(2)) if m else 0
for name in PLASMA:
    images = PLASMA_DIR + name + '/contents/images/'
    try:
        best = max((f for f in os.listdir(root('plasma-workspace-wallpapers', images))
                    if f.lower().endswith(('.jpg', '.png'))), key=pixels)
        meta = json.load(open(root('plasma-workspace-wallpapers', PLASMA_DIR + name + '/metadata.json'),
                              encoding='utf-8'))['KPlugin']
    except (OSError, ValueError, KeyError) as e:
        log('skipping plasma wallpaper %s: %s' % (name, e))
        continue
    src = images + best
    add('train', 'plasma-%s.png' % name, 'plasma-workspace-wallpapers', src,
        normalise_licence(meta.get('License', 'GPL-2+')),
        author=', '.join(a.get('Name', '') for a in meta.get('Authors', [])),
        changes='downscaled 2x (area average)', path=root('plasma-workspace-wallpapers', src),
        image=('half', None))

# lomiri-wallpapers-20.04: its one camera photograph (the others are renders).
LOMIRI_SRC = 'usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg'
lic, holder = dep5_licence('lomiri-wallpapers-20.04', '20.04/Kleiber_by_Lukas_Baubkus.jpg')
if os.path.exists(root('lomiri-wallpapers-20.04', LOMIRI_SRC)):
    add('train', 'lomiri-Kleiber_by_Lukas_Baubkus.png', 'lomiri-wallpapers-20.04', LOMIRI_SRC, lic,
        author=holder, changes='downscaled 2x (area average)',
        path=root('lomiri-wallpapers-20.04', LOMIRI_SRC), image=('half', None))
else:
    log('skipping %s: not in the package' % LOMIRI_SRC)

# scikit-image: licences as stated in the docstrings of skimage/data/_fetchers.py.
SKIMAGE = {
    'astronaut.png': ('public domain', 'NASA (Eileen Collins)', 'https://flic.kr/p/r9qvLn'),
    'coffee.png': ('CC0-1.0', 'Rachel Michetti (Pikolo Espresso Bar)', ''),
    'rocket.jpg': ('public domain', 'SpaceX', 'https://www.flickr.com/photos/spacexphotos/16511594820/'),
    'motorcycle_left.png': ('BSD-3-Clause (package); Middlebury 2014 stereo benchmark',
                            'N. Nesic, P. Westling, X. Wang, Y. Kitajima, G. Krathwohl, D. Scharstein', ''),
}
SKIMAGE_DIR = 'usr/lib/python3/dist-packages/skimage/data/'
for name, (lic, author, url) in sorted(SKIMAGE.items()):
    add('train', 'skimage-' + name, 'python3-skimage', SKIMAGE_DIR + name, lic, author, url,
        path=root('python3-skimage', SKIMAGE_DIR + name))
add('heldout', 'skimage-chelsea.png', 'python3-skimage', SKIMAGE_DIR + 'chelsea.png', 'CC0-1.0',
    'Stefan van der Walt', '', path=root('python3-skimage', SKIMAGE_DIR + 'chelsea.png'))

# scikit-learn: sklearn/datasets/images/README.txt.
SKLEARN_DIR = 'usr/lib/python3/dist-packages/sklearn/datasets/images/'
add('train', 'sklearn-china.jpg', 'python3-sklearn', SKLEARN_DIR + 'china.jpg', 'CC-BY-2.0',
    'danielbuechele (Flickr)', 'https://www.flickr.com/photos/danielbuechele/6061409035/',
    path=root('python3-sklearn', SKLEARN_DIR + 'china.jpg'))
add('train', 'sklearn-flower.jpg', 'python3-sklearn', SKLEARN_DIR + 'flower.jpg', 'CC-BY-2.0',
    'vultilion (Flickr)', 'https://www.flickr.com/photos/vultilion/6056698931/',
    path=root('python3-sklearn', SKLEARN_DIR + 'flower.jpg'))

# Held out: every photo of mate-backgrounds nature/ and of palapeli's puzzle collection.
MATE_DIR = 'usr/share/backgrounds/mate/nature/'
for name in sorted(os.listdir(root('mate-backgrounds', MATE_DIR))):
    if name.lower().endswith(('.jpg', '.jpeg', '.png')):
        lic, holder = dep5_licence('mate-backgrounds', 'nature/' + name)
        add('heldout', 'mate-' + name, 'mate-backgrounds', MATE_DIR + name, lic, holder,
            path=root('mate-backgrounds', MATE_DIR + name))
PALAPELI_DIR = 'usr/share/palapeli/collection/'
for name in sorted(os.listdir(root('palapeli-data', PALAPELI_DIR))):
    if not name.lower().endswith('.jpg'):
        continue
    author = ''
    desktop = root('palapeli-data', PALAPELI_DIR + name.rsplit('.', 1)[0] + '.desktop')
    if os.path.exists(desktop):
        for line in open(desktop, encoding='utf-8', errors='replace'):
            if line.startswith('X-KDE-PluginInfo-Author='):
                author = line.split('=', 1)[1].strip()
    lic = dep5_licence('palapeli-data', 'collection/' + name)[0]
    add('heldout', 'palapeli-' + name, 'palapeli-data', PALAPELI_DIR + name, lic, author,
        path=root('palapeli-data', PALAPELI_DIR + name))

# ---------------------------------------------------------------- write

def atomic_write(dest, data):
    tmp = dest + '.part'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, dest)

def render(p):
    """Bytes of the output file and its size; None when the photo is unusable."""
    if p['image'] is not None:
        kind, blob = p['image']  # blob None: the 'half' conversion reads p['path']
        im = Image.open(io.BytesIO(blob) if blob is not None else p['path'])
        if im.mode in ('RGBA', 'LA') and im.getchannel('A').getextrema()[0] < 255:
            return None, 'has transparency'
        im = im.convert('RGB')
        w, h = im.size
        im = im.crop((0, 0, w - w % 2, h - h % 2)).reduce(2)  # box filter: exact 2x area
        out = io.BytesIO()
        im.save(out, 'PNG', compress_level=6)
        return out.getvalue(), im.size
    im = Image.open(p['path'])
    if im.mode in ('RGBA', 'LA') and im.getchannel('A').getextrema()[0] < 255:
        return None, 'has transparency'
    if im.mode not in ('RGB', 'RGBA'):
        return None, 'not a colour photo (mode %s)' % im.mode
    return open(p['path'], 'rb').read(), im.size  # copied unchanged

kept, skipped = [], []
for sub in ('train', 'heldout'):
    os.makedirs(os.path.join(TARGET, sub), exist_ok=True)
for p in photos:
    dest = os.path.join(TARGET, p['set'], p['file'])
    try:
        if os.path.exists(dest) and p['image'] is not None:
            with Image.open(dest) as im:  # conversions are deterministic: reuse
                size = im.size
            data = None
        else:
            data, size = render(p)
            if data is None:
                skipped.append((p, size))
                continue
    except (OSError, ValueError) as e:
        skipped.append((p, 'cannot be read: %s' % e))
        continue
    if p['set'] == 'train' and min(size) < MIN_SHORT_SIDE:
        skipped.append((p, 'shorter side %d < %d after processing' % (min(size), MIN_SHORT_SIDE)))
        if os.path.exists(dest):
            os.remove(dest)
        continue
    if data is not None and (not os.path.exists(dest) or open(dest, 'rb').read() != data):
        atomic_write(dest, data)
    p['width'], p['height'] = size
    p['bytes'] = os.path.getsize(dest)
    kept.append(p)

wanted = {(p['set'], p['file']) for p in kept}
for sub in ('train', 'heldout'):
    for name in sorted(os.listdir(os.path.join(TARGET, sub))):
        if (sub, name) not in wanted:
            log('removing %s/%s (no longer selected)' % (sub, name))
            os.remove(os.path.join(TARGET, sub, name))

kept.sort(key=lambda p: (p['set'], p['file']))
def clean(s):
    return str(s).replace('\t', ' ').replace('\n', ' ')
rows = ['\t'.join(['file', 'set', 'package', 'version', 'licence', 'width', 'height', 'bytes',
                   'source', 'author', 'url', 'processing'])]
for p in kept:
    rows.append('\t'.join(clean(x) for x in [
        p['set'] + '/' + p['file'], p['set'], p['pkg'], packages[p['pkg']][0], p['licence'],
        p['width'], p['height'], p['bytes'], p['source'], p['author'], p['url'],
        p['changes'] or ('copied unchanged' if p['image'] is None else '')]))
atomic_write(os.path.join(TARGET, 'manifest.tsv'), ('\n'.join(rows) + '\n').encode('utf-8'))

def needs_attribution(lic):
    return lic.upper().startswith('CC-BY')
by_licence = {}
for p in kept:
    by_licence.setdefault(p['licence'], []).append(p)
md = ['# Licences of the ShiftSR photo set', '',
      'Built by `training/data/fetch-photos.sh` from Debian 12 packages; every photo, its package,',
      'version, source path and processing is listed in `manifest.tsv`.', '',
      '## Summary', '', '| licence | photos |', '|---|---|']
for lic in sorted(by_licence):
    md.append('| %s | %d |' % (lic, len(by_licence[lic])))
md += ['', '## Obligations', '',
       '- **CC-BY / CC-BY-SA** photos (below) require the attribution lines given here whenever the',
       '  photos, or images derived from them, are redistributed. The 2x-downscaled GCompris photos',
       '  are adaptations: under CC-BY-SA they may only be shared under the same licence.',
       '- **GPL / LGPL** photos (lxqt-themes, plasma-workspace-wallpapers, mate-backgrounds, palapeli-data) come with their',
       '  package\'s licence: redistributing them means offering their source (the image files and the',
       '  Debian source package).',
       '- **Apache-2.0 AND BSD-3-Clause** (opencv-doc) is how Debian licenses the OpenCV sample data as',
       '  a whole; several of these classic test images have older, informal provenance.',
       '- Whether weights trained on these photos are a derivative work is legally unsettled: keep',
       '  this file and manifest.tsv with any model trained on the set, and do not ship the photos.', '',
       '## Attributions (CC-BY, CC-BY-SA)', '']
for p in kept:
    if needs_attribution(p['licence']):
        md.append('- `%s/%s`: "%s" by %s, %s%s. %s' % (
            p['set'], p['file'], os.path.basename(p['source'].split(':')[-1]),
            p['author'] or 'unknown author', p['licence'],
            (', ' + p['url']) if p['url'] else '', p['changes'] or 'Unchanged.'))
md += ['', '## Other photos', '']
for p in kept:
    if not needs_attribution(p['licence']):
        md.append('- `%s/%s`: %s; %s%s (Debian package %s %s)' % (
            p['set'], p['file'], p['licence'], p['author'] or 'author not stated',
            (', ' + p['url']) if p['url'] else '', p['pkg'], packages[p['pkg']][0]))
atomic_write(os.path.join(TARGET, 'LICENSES.md'), ('\n'.join(md) + '\n').encode('utf-8'))

for p, why in skipped:
    log('skipped %s (%s): %s' % (p['file'], p['source'], why))
for sub in ('train', 'heldout'):
    ps = [p for p in kept if p['set'] == sub]
    total = sum(p['bytes'] for p in ps)
    mpix = sum(p['width'] * p['height'] for p in ps) / 1e6
    log('%s: %d photos, %.1f MB, %.1f megapixels' % (sub, len(ps), total / 1e6, mpix))
log('wrote %s (manifest.tsv, LICENSES.md)' % TARGET)
PYTHON
