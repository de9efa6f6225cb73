#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/seed-*).

Each seed is a tiny valid input (a few hundred bytes to a few KB) that reaches deep into its
parser; the fuzzers mutate from there. Only the Python standard library is used. The image and
metadata seeds need real JPEG/WebP/TIFF encoders: they are made by `shiftsr-cli upscale` (its
default model) from a generated 8x8 PNG when --cli names the program; without it, only the
hand-written PNG/BMP/TIFF seeds are (re)written and the committed JPEG/WebP seeds are kept.

    python3 tests/fuzz/make_corpus.py [--cli build/app/shiftsr-cli]

Regression inputs (crash-*, oom-*, timeout-*, slow-*) beside the seeds are findings of the
campaigns; this script leaves them alone.
"""

import argparse
import collections
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import types
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---- package metadata (as Architecture::toMetadata writes it) ----

TINY_UNET = {"attention_resolutions": [16, 8], "channel_mult": [1, 2], "cond_lq": True,
             "cond_mask": False, "conv_resample": True, "dims": 2, "dropout": 0.0,
             "image_size": 16, "in_channels": 48, "lq_size": 16, "mlp_ratio": 2.0,
             "model_channels": 32, "num_head_channels": 16, "num_heads": 1,
             "num_res_blocks": [1, 1], "out_channels": 48, "patch_norm": False,
             "resblock_updown": False, "swin_depth": 2, "swin_embed_dim": 32,
             "use_fp16": False, "use_scale_shift_norm": True, "window_size": 8}
TINY_SCHEDULE = {"etas_end": 0.99, "kappa": 2.0, "latent_flag": True, "min_noise_level": 0.2,
                 "normalize_input": True, "predict_type": "xstart", "scale_factor": 1.0,
                 "schedule_kwargs": {"power": 0.3}, "schedule_name": "exponential", "sf": 4,
                 "steps": 4, "timestep_respacing": None, "weighted_mse": False}
YONOS_UNET = {"act_fn": "silu", "attention_head_dim": 2, "block_out_channels": [32, 32],
              "context_tokens": 77, "cross_attention_dim": None,
              "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"],
              "flip_sin_to_cos": True, "freq_shift": 0, "in_channels": 8, "layers_per_block": 1,
              "mid_block_attention": True, "mid_block_type": "UNetMidBlock2DCrossAttn",
              "norm_eps": 1e-05, "norm_num_groups": 8, "out_channels": 4,
              "transformer_layers_per_block": 1,
              "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
              "use_linear_projection": False}
YONOS_KL = {"_class_name": "AutoencoderKL", "act_fn": "silu", "block_out_channels": [16, 16, 32],
            "down_block_types": ["DownEncoderBlock2D"] * 3, "in_channels": 3,
            "latent_channels": 4, "layers_per_block": 1, "mid_block_add_attention": False,
            "norm_num_groups": 8, "out_channels": 3, "scaling_factor": 1.0,
            "up_block_types": ["UpDecoderBlock2D"] * 3}
YONOS_DDIM = {"beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
              "num_train_timesteps": 1000, "prediction_type": "v_prediction",
              "rescale_betas_zero_snr": True, "set_alpha_to_one": True, "steps_offset": 0,
              "timestep_spacing": "trailing"}


def official_config():
    with open(os.path.join(SOURCE, "tests/fixtures/resshift-tiny/config.json")) as f:
        return json.load(f)


def dumps(v):
    return json.dumps(v, separators=(",", ":"), sort_keys=True)


def package_metadata():
    tiny = {"shiftsr.format": "1", "name": "tiny", "family": "resshift", "scale": "4",
            "steps": "4", "codec": "unshuffle-f4", "unet": dumps(TINY_UNET),
            "schedule": dumps(TINY_SCHEDULE), "sampler": dumps({"padding_offset": 16})}
    refine = dict(tiny, codec="unshuffle-f4-refine",
                  codec_config=dumps({"channels": 8, "layers": 2, "strength": 1.0}),
                  sampler=dumps({"padding_offset": 16, "degrid_sigma": 0.5}))
    cfg = official_config()["config"]
    vq = {"shiftsr.format": "1", "name": "vq", "family": "resshift", "scale": "4", "steps": "1",
          "codec": "vq-f4", "unet": dumps(cfg["model"]["params"]),
          "schedule": dumps(cfg["diffusion"]["params"]),
          "codec_config": dumps(cfg["autoencoder"]["params"]),
          "provenance": dumps({"converted_from": "fixture"})}
    yonos = {"shiftsr.format": "1", "name": "yonos", "family": "yonos", "scale": "4",
             "steps": "1", "codec": "kl-f4", "unet": dumps(YONOS_UNET),
             "codec_config": dumps(YONOS_KL), "schedule": dumps(YONOS_DDIM),
             "sampler": dumps({"padding_offset": 8, "multi_steps": 10})}
    return {"tiny": tiny, "refine": refine, "vq": vq, "yonos": yonos}


def safetensors(metadata, tensors):
    """tensors: list of (name, dtype, shape, bytes)."""
    header = collections.OrderedDict()
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    data = b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


JSON_KEYS = ("unet", "schedule", "codec_config", "sampler", "provenance")


def safetensors_seeds():
    tensors = [("unet.input_blocks.0.0.weight", "F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)),
               ("codec.b", "F16", [3], b"\x00\x3c\x00\x40\x00\x42"),
               ("unet.attn_mask", "BF16", [1], b"\x80\x3f"), ("codec.i", "I64", [], b"\x07" + b"\0" * 7),
               ("unet.empty", "U8", [0, 5], b"")]
    for name, meta in package_metadata().items():
        write("safetensors", name + ".safetensors", safetensors(meta, tensors))
        # fuzz_architecture: the same metadata with its JSON values unescaped.
        structured = {k: (json.loads(v) if k in JSON_KEYS else v) for k, v in meta.items()}
        write("architecture", name + ".json", json.dumps(structured))
    write("safetensors", "bare.safetensors", safetensors(None, tensors[:2]))


# ---- torch.save checkpoints: the pickle of a state dict written by Python's own pickler ----

def torch_like_pickle(tensors, wrap=None, protocol=2):
    """tensors: list of (name, storage key, numel, shape, stride, offset). The globals are the
    ones torch.save writes (collections.OrderedDict, torch._utils._rebuild_tensor_v2,
    torch.FloatStorage), registered as stand-in modules so that pickle names them."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    FloatStorage.__module__, FloatStorage.__qualname__ = "torch", "FloatStorage"

    def _rebuild_tensor_v2(*a):
        pass

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    torch.FloatStorage = FloatStorage
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    torch._utils = utils
    saved = {k: sys.modules.get(k) for k in ("torch", "torch._utils")}
    sys.modules["torch"], sys.modules["torch._utils"] = torch, utils

    class Storage:
        def __init__(self, key, numel):
            self.key, self.numel = key, numel

    class Tensor:
        def __init__(self, storage, offset, shape, stride):
            self.args = (storage, offset, tuple(shape), tuple(stride), False,
                         collections.OrderedDict())

        def __reduce__(self):
            return (_rebuild_tensor_v2, self.args)

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                return ("storage", FloatStorage, obj.key, "cpu", obj.numel)
            return None

    try:
        sd = collections.OrderedDict()
        for name, key, numel, shape, stride, offset in tensors:
            sd[name] = Tensor(Storage(key, numel), offset, shape, stride)
        root = sd if wrap is None else {wrap: sd, "epoch": 3, "note": "x", "lr": 0.5}
        out = io.BytesIO()
        Pickler(out, protocol=protocol).dump(root)
        return out.getvalue()
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def checkpoint_zip(pkl, storages, deflate=False, archive="archive"):
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    items = [("data.pkl", pkl), ("byteorder", b"little")]
    items += [("data/" + key, raw) for key, raw in storages.items()]
    items.append(("version", b"3\n"))
    with zipfile.ZipFile(out, "w") as z:
        for name, raw in items:
            # A fixed time stamp: the seeds do not change when they are written again.
            info = zipfile.ZipInfo(archive + "/" + name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, raw)
    return out.getvalue()


def checkpoint_seeds():
    floats = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    plain = [("conv.weight", "0", 6, [2, 3], [3, 1], 0), ("conv.bias", "1", 2, [2], [1], 0)]
    views = [("module.t", "0", 6, [3, 2], [1, 3], 0), ("module.s", "0", 6, [2], [2], 1),
             ("module.e", "1", 2, [2, 2], [0, 1], 0), ("module.z", "1", 2, [], [], 1)]
    cases = {
        "plain": (torch_like_pickle(plain), False),
        "views": (torch_like_pickle(views, protocol=4), False),
        "wrapped": (torch_like_pickle(plain, wrap="state_dict", protocol=5), True),
    }
    storages = {"0": floats, "1": struct.pack("<2f", 7, 8)}
    for name, (pkl, deflate) in cases.items():
        write("unpickler", name + ".pkl", pkl)
        write("checkpoint", name + ".pth", checkpoint_zip(pkl, storages, deflate))


# ---- images and their metadata ----

def png(width, height, rows, color_type=2, extra_chunks=()):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"".join(b"\0" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    body = chunk(b"IHDR", ihdr)
    for kind, data in extra_chunks:
        body += chunk(kind, data)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def rgb_rows(width, height):
    return [bytes((x * 31 + y * 7) % 256 for x in range(width) for _ in range(3))
            for y in range(height)]


def bmp(width, height):
    stride = (width * 3 + 3) & ~3
    pixels = b"".join(bytes((x * 40 + y) % 256 for x in range(width) for _ in range(3)) +
                      b"\0" * (stride - width * 3) for y in range(height))
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    head = struct.pack("<2sIHHI", b"BM", 14 + 40 + len(pixels), 0, 0, 14 + 40)
    return head + info + pixels


def tiff(width, height, orientation=None):
    """An uncompressed little-endian RGB strip TIFF, optionally with an Orientation tag."""
    pixels = b"".join(r for r in rgb_rows(width, height))
    entries = [(256, 3, 1, width), (257, 3, 1, height), (258, 3, 1, 8), (259, 3, 1, 1),
               (262, 3, 1, 2), (273, 4, 1, 0), (277, 3, 1, 3), (278, 3, 1, height),
               (279, 4, 1, len(pixels))]
    if orientation:
        entries.append((274, 3, 1, orientation))
    entries.sort()
    ifd_at = 8
    data_at = ifd_at + 2 + 12 * len(entries) + 4
    out = b"II*\0" + struct.pack("<I", ifd_at) + struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        if tag == 273:
            value = data_at
        out += struct.pack("<HHII", tag, kind, count, value)
    return out + b"\0\0\0\0" + pixels


def exif_tiff(orientation):
    """The TIFF structure of an EXIF block: IFD0 with Orientation and a Software string."""
    software = b"ShiftSR\0"
    out = b"MM\0*" + struct.pack(">I", 8) + struct.pack(">H", 2)
    out += struct.pack(">HHIHH", 274, 3, 1, orientation, 0)
    out += struct.pack(">HHII", 305, 2, len(software), 8 + 2 + 24 + 4)
    return out + b"\0\0\0\0" + software


XMP = ('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       'rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" '
       'xmlns:dc="http://purl.org/dc/elements/1.1/" tiff:Orientation="3"><dc:title><rdf:Alt>'
       '<rdf:li xml:lang="x-default">t</rdf:li></rdf:Alt></dc:title></rdf:Description>'
       '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()


def with_jpeg_exif(jpeg, orientation=6):
    exif = b"Exif\0\0" + exif_tiff(orientation)
    xmp = b"http://ns.adobe.com/xap/1.0/\0" + XMP
    app1 = b"".join(b"\xff\xe1" + struct.pack(">H", len(p) + 2) + p for p in (exif, xmp))
    return jpeg[:2] + app1 + jpeg[2:]


def image_seeds(cli):
    rows = rgb_rows(8, 8)
    plain = png(8, 8, rows)
    gray = png(8, 8, [bytes(range(y, y + 8)) for y in range(8)], color_type=0)
    tagged = png(8, 8, rows, extra_chunks=[
        (b"eXIf", exif_tiff(6)),
        (b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + XMP)])
    for target in ("image", "metadata"):
        write(target, "rgb.png", plain)
        write(target, "exif-xmp.png", tagged)
        write(target, "orient.tif", tiff(4, 3, orientation=8))
    write("image", "gray.png", gray)
    write("image", "rgb.bmp", bmp(5, 3))
    if not cli:
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.png")
        with open(src, "wb") as f:
            f.write(plain)
        for fmt in ("jpg", "webp", "tif"):
            out = os.path.join(tmp, "out." + fmt)
            subprocess.run([cli, "upscale", src, "-o", out],
                           check=True, stdout=subprocess.DEVNULL)
            with open(out, "rb") as f:
                data = f.read()
            write("image", "upscaled." + fmt, data)
            write("metadata", "upscaled." + fmt, data)
            if fmt == "jpg":
                write("image", "exif.jpg", with_jpeg_exif(data))
                write("metadata", "exif.jpg", with_jpeg_exif(data))


# ---- job.json and convert --config ----

def config_seeds():
    official = official_config()
    write("config", "official.json", json.dumps(official))
    params = {k: v["params"] for k, v in official["config"].items()}
    params["sampler"] = {"padding_offset": 32}
    write("config", "params.json", dumps(params))
    write("config", "yonos.json", dumps({"unet": YONOS_UNET, "autoencoder": YONOS_KL,
                                          "schedule": YONOS_DDIM, "scale": 4}))
    write("config", "refiner.json", dumps({"channels": 8, "layers": 2, "strength": 0.5}))


def job_seeds():
    data = {"train": ["photos/train", "more"], "val": "photos/val", "gt_size": 128,
            "min_side": 64, "degradation": "bicubic", "workers": 1}
    jobs = {
        "teacher": {"kind": "teacher", "preset": "tiny", "data": data, "batch": 2, "steps": 10,
                    "model": {"model_channels": 32}, "schedule": {"kappa": 2.0},
                    "optimizer": {"lr": 1e-4, "lr_min": 1e-5, "warmup": 5},
                    "checkpoint_every": 5, "validate_every": 5, "seed": 7, "name": "t"},
        "rsd": {"kind": "rsd", "teacher": "t.safetensors", "data": data, "batch": 8,
                "steps": 3000, "rsd": {"fake_updates": 1, "start_timesteps": 4, "dm_weight": 1,
                                       "supervised_weight": 2, "gan_weight": 0.003,
                                       "disc_weight": 0.01, "ssim_weight": 0}},
        "decoder": {"kind": "decoder", "base": "b.safetensors", "data": data, "batch": 8,
                    "steps": 1500, "decoder": {"channels": 32, "layers": 4, "steps": 0}},
        "yonos": {"kind": "yonos", "preset": "lite", "teacher": "t.safetensors", "data": data,
                  "yonos": {"stage": "distil", "scale": 4, "one_step_fraction": 0.5},
                  "batch": 8, "steps": 1500},
    }
    for name, job in jobs.items():
        write("job", name + ".json", json.dumps(job))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cli", help="shiftsr-cli, for the JPEG/WebP/TIFF seeds")
    args = parser.parse_args()
    safetensors_seeds()
    checkpoint_seeds()
    image_seeds(args.cli)
    config_seeds()
    job_seeds()


if __name__ == "__main__":
    main()
