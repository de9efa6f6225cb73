// JPEG, PNG and WebP decoding through their libraries with our own message handlers, and a libtiff
// pass over TIFF data: every warning is heard, none is printed.
#include "image_codecs.h"

#include <algorithm>
#include <csetjmp>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <new>

// jpeglib.h needs size_t and FILE declared first.
#include <jerror.h>
#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>
#include <webp/decode.h>

namespace shiftsr::image {

void DecodeLog::addDamage(const std::string& library, const std::string& message) {
    std::string text = library + ": " + message;
    if (text.size() > 200) // a library quoting a damaged name back must not flood the message
        text = text.substr(0, 200) + "...";
    if (std::find(damage.begin(), damage.end(), text) != damage.end())
        return;
    if (damage.size() < kMaxMessages)
        damage.push_back(std::move(text));
    else
        ++moreDamage;
}

void DecodeLog::setError(const std::string& library, const std::string& message) {
    if (!error.empty()) // the first error is the cause; later ones follow from it
        return;
    error = library + ": " + message;
    if (error.size() > 200)
        error = error.substr(0, 200) + "...";
}

std::string DecodeLog::damageSummary() const {
    std::string s;
    for (const std::string& d : damage)
        s += (s.empty() ? "" : "; ") + d;
    if (moreDamage > 0)
        s += " (and " + std::to_string(moreDamage) + " more)";
    return s;
}

namespace {

// libjpeg and libpng leave an error (and, here, a warning that ends decoding) by longjmp. The
// functions that call into them below hold no C++ object with a destructor, and the handlers
// only copy text into fixed buffers, so nothing is skipped that needed cleaning up and no
// exception crosses the C libraries' frames.
struct MessageBuffer {
    static constexpr int kMax = int(DecodeLog::kMaxMessages);
    char error[JMSG_LENGTH_MAX] = {};
    char warnings[kMax][JMSG_LENGTH_MAX] = {};
    int warningCount = 0; // all of them, also those beyond kMax
    bool unsupported = false;

    void warn(const char* text) {
        if (warningCount < kMax)
            std::snprintf(warnings[warningCount], JMSG_LENGTH_MAX, "%s", text);
        ++warningCount;
    }
    void fail(const char* text) {
        if (error[0] == '\0')
            std::snprintf(error, JMSG_LENGTH_MAX, "%s", text);
    }
    void copyTo(const char* library, DecodeLog& log) const {
        for (int i = 0; i < std::min(warningCount, kMax); ++i)
            log.addDamage(library, warnings[i]);
        log.moreDamage += std::size_t(std::max(0, warningCount - kMax));
        if (error[0] != '\0')
            log.setError(library, error);
        log.unsupported = log.unsupported || unsupported;
    }
};

// ---- JPEG ----

struct JpegContext {
    jpeg_error_mgr mgr; // first member: libjpeg hands back &mgr
    std::jmp_buf jump;
    MessageBuffer messages;
    bool stopAtDamage = true;
};

void jpegErrorExit(j_common_ptr cinfo) {
    auto* ctx = reinterpret_cast<JpegContext*>(cinfo->err);
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    ctx->messages.fail(text);
    const int code = cinfo->err->msg_code;
    ctx->messages.unsupported = code == JERR_BAD_PRECISION || code == JERR_CONVERSION_NOTIMPL ||
                                code == JERR_NOT_COMPILED || code == JERR_ARITH_NOTIMPL;
    std::longjmp(ctx->jump, 1);
}

void jpegEmitMessage(j_common_ptr cinfo, int level) {
    if (level >= 0) // trace messages
        return;
    // An unknown JFIF revision number names a newer header version, not damage to the data.
    if (cinfo->err->msg_code == JWRN_JFIF_MAJOR)
        return;
    auto* ctx = reinterpret_cast<JpegContext*>(cinfo->err);
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    ctx->messages.warn(text);
    ++cinfo->err->num_warnings;
    if (ctx->stopAtDamage)
        std::longjmp(ctx->jump, 1);
}

void jpegOutputMessage(j_common_ptr) {} // never to stderr: the text travels in the Status

bool jpegStart(jpeg_decompress_struct* cinfo, JpegContext* ctx, const std::uint8_t* data,
               std::size_t size) {
    if (setjmp(ctx->jump))
        return false;
    jpeg_mem_src(cinfo, data, static_cast<unsigned long>(size));
    jpeg_read_header(cinfo, TRUE);
    // As OpenCV's decoder: gray stays gray, CMYK/YCCK comes out as CMYK and is converted below,
    // everything else as BGR.
    if (cinfo->num_components == 1)
        cinfo->out_color_space = JCS_GRAYSCALE;
    else if (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK)
        cinfo->out_color_space = JCS_CMYK;
    else
        cinfo->out_color_space = JCS_EXT_BGR;
    jpeg_start_decompress(cinfo);
    return true;
}

bool jpegRows(jpeg_decompress_struct* cinfo, JpegContext* ctx, std::uint8_t* pixels,
              std::size_t step) {
    if (setjmp(ctx->jump))
        return false;
    while (cinfo->output_scanline < cinfo->output_height) {
        JSAMPROW row = pixels + step * cinfo->output_scanline;
        jpeg_read_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_decompress(cinfo);
    return true;
}

// OpenCV's CMYK -> BGR conversion, so JPEG colours stay what they were.
cv::Mat cmykToBgr(const cv::Mat& cmyk) {
    cv::Mat bgr(cmyk.rows, cmyk.cols, CV_8UC3);
    for (int y = 0; y < cmyk.rows; ++y) {
        const std::uint8_t* s = cmyk.ptr<std::uint8_t>(y);
        std::uint8_t* d = bgr.ptr<std::uint8_t>(y);
        for (int x = 0; x < cmyk.cols; ++x, s += 4, d += 3) {
            const int k = s[3];
            d[2] = static_cast<std::uint8_t>(k - ((255 - s[0]) * k >> 8));
            d[1] = static_cast<std::uint8_t>(k - ((255 - s[1]) * k >> 8));
            d[0] = static_cast<std::uint8_t>(k - ((255 - s[2]) * k >> 8));
        }
    }
    return bgr;
}

// ---- PNG ----

struct PngContext {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0, pos = 0;
    MessageBuffer messages;
    bool stopAtDamage = true;
};

void pngRead(png_structp png, png_bytep out, png_size_t n) {
    auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
    if (n > ctx->size - ctx->pos)
        png_error(png, "unexpected end of file");
    std::memcpy(out, ctx->data + ctx->pos, n);
    ctx->pos += n;
}

void pngError(png_structp png, png_const_charp text) {
    static_cast<PngContext*>(png_get_error_ptr(png))->messages.fail(text);
    png_longjmp(png, 1);
}

// libpng checks colour-profile chunks (iCCP, sRGB, cHRM, gAMA) against each other and names
// inconsistent ones ("iCCP: known incorrect sRGB profile", common in files from old tools). The
// decoder applies no profile, so the pixels are the same either way; the profile itself travels
// as metadata. A CRC error in those chunks is still damage.
bool harmlessPngWarning(const char* text) {
    static const char* const kProfileChunks[] = {"iCCP: ", "sRGB: ", "cHRM: ", "gAMA: "};
    for (const char* prefix : kProfileChunks)
        if (std::strncmp(text, prefix, std::strlen(prefix)) == 0)
            return std::strstr(text, "CRC") == nullptr;
    return false;
}

void pngWarning(png_structp png, png_const_charp text) {
    if (harmlessPngWarning(text))
        return;
    auto* ctx = static_cast<PngContext*>(png_get_error_ptr(png));
    ctx->messages.warn(text);
    if (ctx->stopAtDamage)
        png_longjmp(png, 1);
}

bool pngStart(png_structp png, png_infop info, int* channels, int* depth) {
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_read_info(png, info);
    const int colorType = png_get_color_type(png, info);
    const int bitDepth = png_get_bit_depth(png, info);
    // The layouts OpenCV's decoder gives with IMREAD_UNCHANGED, but gray+alpha stays two
    // channels: palette to BGR(A), gray under 8 bits to 8, transparency to alpha, 16-bit in host
    // byte order, colour as BGR.
    if (colorType == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if ((colorType & PNG_COLOR_MASK_COLOR) == 0 && bitDepth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(png);
    if (bitDepth == 16)
        png_set_swap(png);
    if (colorType & PNG_COLOR_MASK_COLOR)
        png_set_bgr(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    *channels = png_get_channels(png, info);
    *depth = png_get_bit_depth(png, info);
    return true;
}

bool pngRows(png_structp png, png_infop info, png_bytepp rows) {
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_read_image(png, rows);
    png_read_end(png, info); // the chunks after the image data: their CRCs are checked too
    return true;
}

// ---- TIFF ----

struct TiffMemory {
    const std::uint8_t* data;
    toff_t size, pos;
};

tmsize_t tiffRead(thandle_t h, void* out, tmsize_t n) {
    auto* m = static_cast<TiffMemory*>(h);
    if (n < 0 || m->pos >= m->size)
        return 0;
    const toff_t k = std::min<toff_t>(toff_t(n), m->size - m->pos);
    std::memcpy(out, m->data + m->pos, std::size_t(k));
    m->pos += k;
    return tmsize_t(k);
}
tmsize_t tiffWrite(thandle_t, void*, tmsize_t) {
    return 0;
}
toff_t tiffSeek(thandle_t h, toff_t off, int whence) {
    auto* m = static_cast<TiffMemory*>(h);
    const toff_t base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->size : 0;
    m->pos = base + off;
    return m->pos;
}
int tiffClose(thandle_t) {
    return 0;
}
toff_t tiffSize(thandle_t h) {
    return static_cast<TiffMemory*>(h)->size;
}
int tiffMap(thandle_t h, void** base, toff_t* size) {
    auto* m = static_cast<TiffMemory*>(h);
    *base = const_cast<std::uint8_t*>(m->data);
    *size = m->size;
    return 1;
}
void tiffUnmap(thandle_t, void*, toff_t) {}

std::string formatV(const char* module, const char* fmt, va_list ap) {
    char text[512];
    std::vsnprintf(text, sizeof(text), fmt, ap);
    // libtiff names the function, or the file (our placeholder name), as the "module".
    if (!module || !*module || std::strcmp(module, "image") == 0)
        return text;
    return std::string(module) + ": " + text;
}

// Warnings about metadata tags that common writers produce and that change no pixel: private
// tags libtiff does not know, tags out of order, ASCII values without their final NUL, and a
// fourth sample without an ExtraSamples tag (OpenCV writes RGBA so; it decodes it as alpha).
bool harmlessTiffWarning(const std::string& text) {
    static const char* const kHarmless[] = {
        "Unknown field with tag", "tags are not sorted in ascending order",
        "does not end in null byte",
        "color channels and ExtraSamples doesn't match SamplesPerPixel"};
    for (const char* h : kHarmless)
        if (text.find(h) != std::string::npos)
            return true;
    return false;
}

// The handlers return 1: handled, so libtiff's global handlers (stderr) never run. They are
// C++ called from C: nothing may be thrown out of them.
int tiffError(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
    try {
        static_cast<DecodeLog*>(user)->setError("libtiff", formatV(module, fmt, ap));
    } catch (...) {
    }
    return 1;
}

int tiffWarning(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
    try {
        const std::string text = formatV(module, fmt, ap);
        if (!harmlessTiffWarning(text))
            static_cast<DecodeLog*>(user)->addDamage("libtiff", text);
    } catch (...) {
    }
    return 1;
}

} // namespace

cv::Mat decodeJpeg(const std::uint8_t* data, std::size_t size, DecodeLog& log) {
    jpeg_decompress_struct cinfo{};
    JpegContext ctx{};
    ctx.stopAtDamage = log.stopAtDamage;
    cinfo.err = jpeg_std_error(&ctx.mgr);
    ctx.mgr.error_exit = jpegErrorExit;
    ctx.mgr.emit_message = jpegEmitMessage;
    ctx.mgr.output_message = jpegOutputMessage;
    jpeg_create_decompress(&cinfo);
    struct Destroy {
        jpeg_decompress_struct* c;
        ~Destroy() { jpeg_destroy_decompress(c); }
    } destroy{&cinfo};

    cv::Mat pixels;
    if (jpegStart(&cinfo, &ctx, data, size)) {
        const int channels = cinfo.out_color_components;
        pixels.create(int(cinfo.output_height), int(cinfo.output_width), CV_8UC(channels));
        if (!jpegRows(&cinfo, &ctx, pixels.data, pixels.step))
            pixels.release();
    }
    ctx.messages.copyTo("libjpeg", log);
    if (pixels.empty() && log.error.empty() && log.damage.empty())
        log.setError("libjpeg", "no image");
    if (!log.error.empty() || (log.stopAtDamage && !log.damage.empty()))
        return cv::Mat();
    return pixels.channels() == 4 ? cmykToBgr(pixels) : pixels;
}

cv::Mat decodePng(const std::uint8_t* data, std::size_t size, DecodeLog& log) {
    PngContext ctx;
    ctx.data = data;
    ctx.size = size;
    ctx.stopAtDamage = log.stopAtDamage;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, pngError, pngWarning);
    if (!png)
        throw std::bad_alloc();
    png_infop info = png_create_info_struct(png);
    struct Destroy {
        png_structp png;
        png_infop info;
        ~Destroy() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
    } destroy{png, info};
    if (!info)
        throw std::bad_alloc();
    png_set_read_fn(png, &ctx, pngRead);

    cv::Mat pixels;
    int channels = 0, depth = 0;
    if (pngStart(png, info, &channels, &depth)) {
        if (channels < 1 || channels > 4 || (depth != 8 && depth != 16)) {
            ctx.messages.fail("unexpected sample layout");
        } else {
            pixels.create(int(png_get_image_height(png, info)), int(png_get_image_width(png, info)),
                          CV_MAKETYPE(depth == 16 ? CV_16U : CV_8U, channels));
            std::vector<png_bytep> rows(std::size_t(pixels.rows));
            for (int y = 0; y < pixels.rows; ++y)
                rows[std::size_t(y)] = pixels.ptr<png_byte>(y);
            if (!pngRows(png, info, rows.data()))
                pixels.release();
        }
    }
    ctx.messages.copyTo("libpng", log);
    if (pixels.empty() && log.error.empty() && log.damage.empty())
        log.setError("libpng", "no image");
    if (!log.error.empty() || (log.stopAtDamage && !log.damage.empty()))
        return cv::Mat();
    return pixels;
}

cv::Mat decodeWebp(const std::uint8_t* data, std::size_t size, DecodeLog& log) {
    auto statusText = [](VP8StatusCode s) -> const char* {
        switch (s) {
        case VP8_STATUS_OUT_OF_MEMORY:
            throw std::bad_alloc();
        case VP8_STATUS_INVALID_PARAM:
            return "invalid parameter";
        case VP8_STATUS_BITSTREAM_ERROR:
            return "bitstream error";
        case VP8_STATUS_UNSUPPORTED_FEATURE:
            return "unsupported feature";
        case VP8_STATUS_NOT_ENOUGH_DATA:
            return "not enough data";
        default:
            return "decoding failed";
        }
    };
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config))
        throw std::runtime_error("libwebp version mismatch");
    VP8StatusCode st = WebPGetFeatures(data, size, &config.input);
    if (st != VP8_STATUS_OK) {
        log.setError("libwebp", statusText(st));
        log.unsupported = st == VP8_STATUS_UNSUPPORTED_FEATURE;
        return cv::Mat();
    }
    if (config.input.has_animation) {
        log.setError("libwebp", "animated WebP");
        log.unsupported = true;
        return cv::Mat();
    }
    const bool alpha = config.input.has_alpha != 0;
    cv::Mat pixels(config.input.height, config.input.width, alpha ? CV_8UC4 : CV_8UC3);
    config.output.colorspace = alpha ? MODE_BGRA : MODE_BGR;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = pixels.data;
    config.output.u.RGBA.stride = int(pixels.step);
    config.output.u.RGBA.size = pixels.step * std::size_t(pixels.rows);
    st = WebPDecode(data, size, &config);
    WebPFreeDecBuffer(&config.output);
    if (st != VP8_STATUS_OK) {
        log.setError("libwebp", statusText(st));
        log.unsupported = st == VP8_STATUS_UNSUPPORTED_FEATURE;
        return cv::Mat();
    }
    return pixels;
}

bool checkTiff(const std::uint8_t* data, std::size_t size, DecodeLog& log) {
    TiffMemory memory{data, toff_t(size), 0};
    TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
    if (!options)
        throw std::bad_alloc();
    TIFFOpenOptionsSetErrorHandlerExtR(options, tiffError, &log);
    TIFFOpenOptionsSetWarningHandlerExtR(options, tiffWarning, &log);
    TIFF* tif = TIFFClientOpenExt("image", "r", &memory, tiffRead, tiffWrite, tiffSeek, tiffClose,
                                  tiffSize, tiffMap, tiffUnmap, options);
    TIFFOpenOptionsFree(options);
    if (!tif) {
        log.setError("libtiff", "not a readable TIFF file");
        return false;
    }
    struct Close {
        TIFF* t;
        ~Close() { TIFFClose(t); }
    } close{tif};
    // OpenCV's decoder needs the Photometric tag and prints an assertion without it.
    std::uint16_t photometric = 0;
    if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric)) {
        log.setError("libtiff", "no Photometric tag");
        return false;
    }
    const bool tiled = TIFFIsTiled(tif) != 0;
    const std::uint32_t count = tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    const tmsize_t bytes = tiled ? TIFFTileSize(tif) : TIFFStripSize(tif);
    if (bytes <= 0) {
        log.setError("libtiff", "no image data");
        return false;
    }
    std::vector<std::uint8_t> buffer(static_cast<std::size_t>(bytes));
    for (std::uint32_t i = 0; i < count; ++i) {
        const tmsize_t got = tiled ? TIFFReadEncodedTile(tif, i, buffer.data(), bytes)
                                   : TIFFReadEncodedStrip(tif, i, buffer.data(), bytes);
        if (got < 0) {
            log.setError("libtiff", "cannot decode " + std::string(tiled ? "tile " : "strip ") +
                                        std::to_string(i));
            return false;
        }
        if (log.stopAtDamage && !log.damage.empty())
            break;
    }
    return log.error.empty();
}

} // namespace shiftsr::image
