// The restricted unpickler: a stack machine over the pickle opcodes torch.save emits, with limits
// on stack, memo, marks and objects, and a whitelist of the globals it may call.
#include "checkpoint/unpickler.h"

#include "byte_reader.h"
#include "checkpoint/common.h"

#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <new>
#include <stdexcept>

namespace shiftsr::checkpoint {

namespace {

constexpr std::size_t kMaxStack = 4u << 20;
constexpr std::size_t kMaxMarks = 1u << 20;
constexpr std::size_t kMaxMemo = 8u << 20;
constexpr std::size_t kMaxObjects = 16u << 20;
constexpr std::size_t kMaxDims = 64;

bool validUtf8(const std::string& s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

struct WhitelistEntry {
    const char* name;
    GlobalId id;
    DType dtype;
};

const WhitelistEntry kWhitelist[] = {
    {"collections.OrderedDict", GlobalId::OrderedDict, DType::F32},
    {"torch._utils._rebuild_tensor_v2", GlobalId::RebuildTensorV2, DType::F32},
    {"torch._utils._rebuild_tensor", GlobalId::RebuildTensor, DType::F32},
    {"torch._utils._rebuild_parameter", GlobalId::RebuildParameter, DType::F32},
    {"torch._utils._rebuild_parameter_with_state", GlobalId::RebuildParameterWithState, DType::F32},
    {"torch.FloatStorage", GlobalId::StorageType, DType::F32},
    {"torch.HalfStorage", GlobalId::StorageType, DType::F16},
    {"torch.BFloat16Storage", GlobalId::StorageType, DType::BF16},
    {"torch.DoubleStorage", GlobalId::StorageType, DType::F64},
    {"torch.LongStorage", GlobalId::StorageType, DType::I64},
    {"torch.IntStorage", GlobalId::StorageType, DType::I32},
    {"torch.ShortStorage", GlobalId::StorageType, DType::I16},
    {"torch.CharStorage", GlobalId::StorageType, DType::I8},
    {"torch.ByteStorage", GlobalId::StorageType, DType::U8},
    {"torch.BoolStorage", GlobalId::StorageType, DType::Bool},
    {"torch.UntypedStorage", GlobalId::StorageType, DType::U8},
    {"torch.storage.UntypedStorage", GlobalId::StorageType, DType::U8},
    {"torch.device", GlobalId::Device, DType::F32},
    {"builtins.set", GlobalId::Set, DType::F32},
    {"__builtin__.set", GlobalId::Set, DType::F32},
};

const char* opcodeName(std::uint8_t op) {
    switch (op) {
    case 'I':
        return "INT";
    case 'L':
        return "LONG";
    case 'S':
        return "STRING";
    case 'V':
        return "UNICODE";
    case 'F':
        return "FLOAT";
    case 'p':
        return "PUT";
    case 'g':
        return "GET";
    case 'd':
        return "DICT";
    case 'l':
        return "LIST";
    case 'i':
        return "INST";
    case 'o':
        return "OBJ";
    case 'P':
        return "PERSID";
    case 0x82:
        return "EXT1";
    case 0x83:
        return "EXT2";
    case 0x84:
        return "EXT4";
    case 0x96:
        return "BYTEARRAY8";
    case 0x97:
        return "NEXT_BUFFER";
    case 0x98:
        return "READONLY_BUFFER";
    default:
        return nullptr;
    }
}

class Unpickler {
public:
    Unpickler(const std::uint8_t* data, std::size_t size, std::string where)
        : p_(data), n_(size), where_(std::move(where)) {}

    Status run(PyRef* result) {
        Status s;
        try {
            s = loop(result);
        } catch (const std::bad_alloc&) {
            s = Status::error(StatusCode::OutOfMemory, where_ + ": out of memory unpickling");
        } catch (...) {
            releaseAll();
            throw;
        }
        // A container that holds itself (APPEND of a memoised list to itself, ...) is a cycle of
        // shared pointers that would never be freed: no state dict has one, so it is refused.
        if (s.isOk() && hasCycle())
            s = bad("the pickle's objects contain themselves (a reference cycle)");
        if (!s.isOk()) {
            result->reset();
            releaseAll();
        }
        return s;
    }

    // storage key -> bytes, as declared by the persistent ids.
    const std::map<std::string, std::uint64_t>& storageBytes() const { return storageBytes_; }

private:
    const std::uint8_t* p_;
    std::size_t n_;
    std::size_t pos_ = 0;
    std::size_t opStart_ = 0;
    std::string where_;
    std::vector<PyRef> stack_;
    std::vector<std::size_t> marks_;
    std::unordered_map<std::uint64_t, PyRef> memo_;
    std::size_t objects_ = 0;
    std::vector<std::weak_ptr<PyObj>> made_; // every object made, for the cycle check
    std::map<std::string, std::uint64_t> storageBytes_;

    static void forEachChild(const PyObj& o, const std::function<void(const PyObj*)>& f) {
        for (const PyRef& r : o.items)
            f(r.get());
        if (o.dict)
            for (const auto& kv : o.dict->items) {
                f(kv.first.get());
                f(kv.second.get());
            }
    }

    // Whether any object still alive reaches itself: an iterative depth-first search.
    bool hasCycle() const {
        enum State { Open, Done };
        std::unordered_map<const PyObj*, State> state;
        std::vector<std::pair<const PyObj*, bool>> todo; // (object, its children pushed)
        for (const auto& w : made_) {
            const PyRef start = w.lock();
            if (!start || state.count(start.get()))
                continue;
            todo.emplace_back(start.get(), false);
            while (!todo.empty()) {
                auto [o, expanded] = todo.back();
                if (expanded || (state.count(o) && state[o] == Done)) {
                    state[o] = Done;
                    todo.pop_back();
                    continue;
                }
                todo.back().second = true;
                state[o] = Open;
                bool cycle = false;
                forEachChild(*o, [&](const PyObj* c) {
                    if (!c || cycle)
                        return;
                    const auto it = state.find(c);
                    if (it == state.end())
                        todo.emplace_back(c, false);
                    else if (it->second == Open)
                        cycle = true;
                });
                if (cycle)
                    return true;
            }
        }
        return false;
    }

    // Drops every container's children, which breaks any cycle among them (after a failure).
    void releaseAll() {
        for (const auto& w : made_) {
            if (PyRef o = w.lock()) {
                std::vector<PyRef> children;
                o->takeChildren(children);
            }
        }
        made_.clear();
    }

    Status bad(const std::string& what) const {
        return Status::error(StatusCode::InvalidFile, where_ + ": " + what + " (pickle byte " +
                                                          std::to_string(opStart_) + ")");
    }
    Status unsupported(const std::string& what) const {
        return Status::error(StatusCode::Unsupported, where_ + ": " + what);
    }

    PyRef make(Kind k) {
        if (++objects_ > kMaxObjects)
            throw std::length_error("too many objects");
        auto o = std::make_shared<PyObj>();
        o->kind = k;
        made_.push_back(o);
        return o;
    }

    bool need(std::size_t k) const { return n_ - pos_ >= k; }

    Status truncated(const char* what, std::uint64_t k) const {
        return bad(std::string("pickle is truncated: ") + what + " needs " + std::to_string(k) +
                   " bytes but only " + std::to_string(n_ - pos_) + " remain");
    }

    Status push(PyRef r) {
        if (stack_.size() >= kMaxStack)
            return bad("pickle stack grows beyond " + std::to_string(kMaxStack) + " items");
        stack_.push_back(std::move(r));
        return Status::ok();
    }

    Status pop(PyRef* out) {
        const std::size_t floor = marks_.empty() ? 0 : marks_.back();
        if (stack_.size() <= floor)
            return bad("pickle pops from an empty stack");
        *out = std::move(stack_.back());
        stack_.pop_back();
        return Status::ok();
    }

    Status top(PyRef** out) {
        const std::size_t floor = marks_.empty() ? 0 : marks_.back();
        if (stack_.size() <= floor)
            return bad("pickle reads from an empty stack");
        *out = &stack_.back();
        return Status::ok();
    }

    Status popMark(std::vector<PyRef>* out) {
        if (marks_.empty())
            return bad("pickle uses a MARK that was never set");
        const std::size_t k = marks_.back();
        marks_.pop_back();
        out->assign(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(k)),
                    std::make_move_iterator(stack_.end()));
        stack_.resize(k);
        return Status::ok();
    }

    Status memoPut(std::uint64_t key) {
        PyRef* t = nullptr;
        Status st = top(&t);
        if (!st.isOk())
            return st;
        if (memo_.size() >= kMaxMemo && memo_.find(key) == memo_.end())
            return bad("pickle memo grows beyond " + std::to_string(kMaxMemo) + " entries");
        memo_[key] = *t;
        return Status::ok();
    }

    Status memoGet(std::uint64_t key) {
        const auto it = memo_.find(key);
        if (it == memo_.end())
            return bad("pickle refers to memo entry " + std::to_string(key) +
                       ", which was never stored");
        return push(it->second);
    }

    Status readUInt(std::size_t bytes, const char* what, std::uint64_t* out) {
        if (!need(bytes))
            return truncated(what, bytes);
        std::uint64_t v = 0;
        for (std::size_t k = 0; k < bytes; ++k)
            v |= static_cast<std::uint64_t>(p_[pos_ + k]) << (8 * k);
        pos_ += bytes;
        *out = v;
        return Status::ok();
    }

    Status readString(std::uint64_t len, const char* what, std::string* out) {
        if (len > n_ - pos_)
            return truncated(what, len);
        out->assign(reinterpret_cast<const char*>(p_ + pos_), static_cast<std::size_t>(len));
        pos_ += static_cast<std::size_t>(len);
        return Status::ok();
    }

    Status readLine(std::string* out) {
        const void* nl = std::memchr(p_ + pos_, '\n', n_ - pos_);
        if (!nl)
            return truncated("GLOBAL name", n_ - pos_ + 1);
        const std::size_t len =
            static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - (p_ + pos_));
        out->assign(reinterpret_cast<const char*>(p_ + pos_), len);
        pos_ += len + 1;
        return Status::ok();
    }

    Status pushString(Kind kind, std::uint64_t len, const char* what) {
        PyRef o = make(kind);
        Status st = readString(len, what, &o->s);
        if (!st.isOk())
            return st;
        if (kind == Kind::Str && !validUtf8(o->s))
            return bad("pickle holds a string that is not valid UTF-8");
        return push(std::move(o));
    }

    Status pushInt(std::int64_t v) {
        PyRef o = make(Kind::Int);
        o->i = v;
        return push(std::move(o));
    }

    Status pushGlobal(const std::string& module, const std::string& name) {
        const std::string full = module + "." + name;
        for (const WhitelistEntry& w : kWhitelist) {
            if (full == w.name) {
                PyRef o = make(Kind::Global);
                o->s = full;
                o->global = w.id;
                o->dtype = w.dtype;
                return push(std::move(o));
            }
        }
        std::string shown = full.size() > 200 ? full.substr(0, 200) + "..." : full;
        return unsupported("checkpoint references '" + shown +
                           "', which a safe loader does not execute");
    }

    static bool isIntTuple(const PyObj& o, std::vector<std::int64_t>* out) {
        if (o.kind != Kind::Tuple && o.kind != Kind::List)
            return false;
        out->clear();
        for (const PyRef& r : o.items) {
            if (!r || r->kind != Kind::Int)
                return false;
            out->push_back(r->i);
        }
        return true;
    }

    Status rebuildTensor(const std::vector<PyRef>& args, const char* fn, PyRef* out) {
        const PyObj& storage = *args[0];
        if (storage.kind != Kind::Storage)
            return bad(std::string(fn) + " expects a storage but got " + aKind(storage.kind));
        if (args[1]->kind != Kind::Int || args[1]->i < 0)
            return bad(std::string(fn) + " expects a non-negative storage offset");
        auto t = std::make_unique<CheckpointTensor>();
        if (!isIntTuple(*args[2], &t->shape) || !isIntTuple(*args[3], &t->stride))
            return bad(std::string(fn) + " expects size and stride tuples of integers");
        if (t->shape.size() != t->stride.size() || t->shape.size() > kMaxDims)
            return bad(std::string(fn) + ": size " + shapeText(t->shape) + " and stride " +
                       shapeText(t->stride) + " do not match");
        for (std::size_t d = 0; d < t->shape.size(); ++d) {
            if (t->shape[d] < 0 || t->stride[d] < 0)
                return bad(std::string(fn) + ": negative size or stride (size " +
                           shapeText(t->shape) + ", stride " + shapeText(t->stride) + ")");
        }
        t->dtype = storage.dtype;
        t->storageOffset = args[1]->i;
        t->storageKey = storage.s;
        PyRef o = make(Kind::Tensor);
        o->tensor = std::move(t);
        *out = std::move(o);
        return Status::ok();
    }

    // callable(*args) for the whitelisted callables.
    Status call(const PyObj& callable, const PyObj& argObj, PyRef* out) {
        if (callable.kind != Kind::Global)
            return bad("pickle calls " + aKind(callable.kind) + ", which is not callable");
        if (argObj.kind != Kind::Tuple)
            return bad("pickle calls '" + callable.s + "' with arguments that are not a tuple");
        const std::vector<PyRef>& args = argObj.items;
        switch (callable.global) {
        case GlobalId::OrderedDict: {
            PyRef d = make(Kind::Dict);
            d->dict = std::make_unique<DictData>();
            if (args.size() == 1 && args[0]->kind == Kind::List) {
                for (const PyRef& pair : args[0]->items) {
                    if ((pair->kind != Kind::Tuple && pair->kind != Kind::List) ||
                        pair->items.size() != 2)
                        return bad("OrderedDict expects a list of (key, value) pairs");
                    setItem(*d, pair->items[0], pair->items[1]);
                }
            } else if (!args.empty()) {
                return bad("OrderedDict is called with unexpected arguments");
            }
            *out = std::move(d);
            return Status::ok();
        }
        case GlobalId::RebuildTensorV2:
            if (args.size() != 6 && args.size() != 7)
                return bad("_rebuild_tensor_v2 expects 6 or 7 arguments, got " +
                           std::to_string(args.size()));
            return rebuildTensor(args, "_rebuild_tensor_v2", out);
        case GlobalId::RebuildTensor:
            if (args.size() != 4)
                return bad("_rebuild_tensor expects 4 arguments, got " +
                           std::to_string(args.size()));
            return rebuildTensor(args, "_rebuild_tensor", out);
        case GlobalId::RebuildParameter:
        case GlobalId::RebuildParameterWithState:
            if (args.size() < 3 || args.size() > 4 || args[0]->kind != Kind::Tensor)
                return bad("_rebuild_parameter expects (tensor, requires_grad, hooks[, state])");
            *out = args[0];
            return Status::ok();
        case GlobalId::Device:
        case GlobalId::Set: {
            PyRef o = make(Kind::Opaque);
            o->s = callable.s;
            *out = std::move(o);
            return Status::ok();
        }
        case GlobalId::StorageType:
            return unsupported("checkpoint constructs '" + callable.s +
                               "' directly, which this loader does not support (" + kLegacyHint +
                               ")");
        }
        return bad("unexpected callable");
    }

    void setItem(PyObj& d, PyRef key, PyRef value) {
        if (key->kind == Kind::Str) {
            const auto it = d.dict->strIndex.find(key->s);
            if (it != d.dict->strIndex.end()) {
                d.dict->items[it->second].second = std::move(value);
                return;
            }
            d.dict->strIndex.emplace(key->s, d.dict->items.size());
        }
        d.dict->items.emplace_back(std::move(key), std::move(value));
    }

    Status persistentLoad(const PyObj& pid, PyRef* out) {
        if (pid.kind != Kind::Tuple || pid.items.size() != 5 || pid.items[0]->kind != Kind::Str ||
            pid.items[0]->s != "storage")
            return bad("unexpected persistent id (expected ('storage', type, key, location, "
                       "numel))");
        const PyObj& type = *pid.items[1];
        const PyObj& key = *pid.items[2];
        const PyObj& numel = *pid.items[4];
        if (type.kind != Kind::Global || type.global != GlobalId::StorageType)
            return bad("persistent id names a storage type that is not a torch storage class");
        if (key.kind != Kind::Str || key.s.empty() || key.s.size() > 256)
            return bad("persistent id has an invalid storage key");
        if (numel.kind != Kind::Int || numel.i < 0)
            return bad("persistent id has an invalid element count");
        const std::size_t es = dtypeSize(type.dtype);
        if (static_cast<std::uint64_t>(numel.i) > kInt64Max / es)
            return bad("storage '" + key.s + "' is implausibly large");
        const std::uint64_t bytes = static_cast<std::uint64_t>(numel.i) * es;
        const auto it = storageBytes_.find(key.s);
        if (it != storageBytes_.end() && it->second != bytes)
            return bad("storage '" + key.s + "' is declared with two different sizes (" +
                       std::to_string(it->second) + " and " + std::to_string(bytes) + " bytes)");
        storageBytes_[key.s] = bytes;
        PyRef o = make(Kind::Storage);
        o->s = key.s;
        o->i = numel.i;
        o->dtype = type.dtype;
        *out = std::move(o);
        return Status::ok();
    }

    Status loop(PyRef* result) {
        std::vector<PyRef> items;
        while (pos_ < n_) {
            opStart_ = pos_;
            const std::uint8_t op = p_[pos_++];
            std::uint64_t u = 0;
            switch (op) {
            case 0x80: // PROTO
                SHIFTSR_TRY(readUInt(1, "PROTO", &u));
                if (u < 2 || u > 5)
                    return unsupported("pickle protocol " + std::to_string(u) +
                                       " is not supported");
                break;
            case 0x95: // FRAME: a size hint only
                SHIFTSR_TRY(readUInt(8, "FRAME", &u));
                if (u > n_ - pos_)
                    return truncated("FRAME", u);
                break;
            case '.': { // STOP
                PyRef r;
                SHIFTSR_TRY(pop(&r));
                *result = std::move(r);
                return Status::ok();
            }
            case '(': // MARK
                if (marks_.size() >= kMaxMarks)
                    return bad("too many nested MARKs");
                marks_.push_back(stack_.size());
                break;
            case '0': { // POP
                if (!marks_.empty() && marks_.back() == stack_.size()) {
                    marks_.pop_back(); // POP of a MARK, as CPython allows
                    break;
                }
                PyRef r;
                SHIFTSR_TRY(pop(&r));
                break;
            }
            case '1': // POP_MARK
                SHIFTSR_TRY(popMark(&items));
                break;
            case '2': { // DUP
                PyRef* t = nullptr;
                SHIFTSR_TRY(top(&t));
                PyRef copy = *t;
                SHIFTSR_TRY(push(std::move(copy)));
                break;
            }
            case '}': { // EMPTY_DICT
                PyRef d = make(Kind::Dict);
                d->dict = std::make_unique<DictData>();
                SHIFTSR_TRY(push(std::move(d)));
                break;
            }
            case ']': // EMPTY_LIST
                SHIFTSR_TRY(push(make(Kind::List)));
                break;
            case ')': // EMPTY_TUPLE
                SHIFTSR_TRY(push(make(Kind::Tuple)));
                break;
            case 0x8f: // EMPTY_SET
                SHIFTSR_TRY(push(make(Kind::Set)));
                break;
            case 't':    // TUPLE
            case 0x91: { // FROZENSET
                SHIFTSR_TRY(popMark(&items));
                PyRef t = make(op == 't' ? Kind::Tuple : Kind::Set);
                t->items = std::move(items);
                items.clear();
                SHIFTSR_TRY(push(std::move(t)));
                break;
            }
            case 0x85:
            case 0x86:
            case 0x87: { // TUPLE1..3
                const std::size_t k = static_cast<std::size_t>(op - 0x84);
                PyRef t = make(Kind::Tuple);
                t->items.resize(k);
                for (std::size_t j = k; j-- > 0;) {
                    SHIFTSR_TRY(pop(&t->items[j]));
                }
                SHIFTSR_TRY(push(std::move(t)));
                break;
            }
            case 'a': { // APPEND
                PyRef v;
                PyRef* l = nullptr;
                SHIFTSR_TRY(pop(&v));
                SHIFTSR_TRY(top(&l));
                if ((*l)->kind != Kind::List)
                    return bad("APPEND to " + aKind((*l)->kind));
                (*l)->items.push_back(std::move(v));
                break;
            }
            case 'e':    // APPENDS
            case 0x90: { // ADDITEMS
                SHIFTSR_TRY(popMark(&items));
                PyRef* l = nullptr;
                SHIFTSR_TRY(top(&l));
                const Kind want = op == 'e' ? Kind::List : Kind::Set;
                if ((*l)->kind != want)
                    return bad(std::string(op == 'e' ? "APPENDS" : "ADDITEMS") + " to " +
                               aKind((*l)->kind));
                for (PyRef& r : items)
                    (*l)->items.push_back(std::move(r));
                items.clear();
                break;
            }
            case 's': { // SETITEM
                PyRef v, k;
                PyRef* d = nullptr;
                SHIFTSR_TRY(pop(&v));
                SHIFTSR_TRY(pop(&k));
                SHIFTSR_TRY(top(&d));
                if ((*d)->kind != Kind::Dict)
                    return bad("SETITEM on " + aKind((*d)->kind));
                setItem(**d, std::move(k), std::move(v));
                break;
            }
            case 'u': { // SETITEMS
                SHIFTSR_TRY(popMark(&items));
                PyRef* d = nullptr;
                SHIFTSR_TRY(top(&d));
                if ((*d)->kind != Kind::Dict)
                    return bad("SETITEMS on " + aKind((*d)->kind));
                if (items.size() % 2 != 0)
                    return bad("SETITEMS with an odd number of items");
                for (std::size_t j = 0; j < items.size(); j += 2)
                    setItem(**d, std::move(items[j]), std::move(items[j + 1]));
                items.clear();
                break;
            }
            case 'q': // BINPUT
                SHIFTSR_TRY(readUInt(1, "BINPUT", &u));
                SHIFTSR_TRY(memoPut(u));
                break;
            case 'r': // LONG_BINPUT
                SHIFTSR_TRY(readUInt(4, "LONG_BINPUT", &u));
                SHIFTSR_TRY(memoPut(u));
                break;
            case 0x94: // MEMOIZE
                SHIFTSR_TRY(memoPut(memo_.size()));
                break;
            case 'h': // BINGET
                SHIFTSR_TRY(readUInt(1, "BINGET", &u));
                SHIFTSR_TRY(memoGet(u));
                break;
            case 'j': // LONG_BINGET
                SHIFTSR_TRY(readUInt(4, "LONG_BINGET", &u));
                SHIFTSR_TRY(memoGet(u));
                break;
            case 'J': // BININT (signed 32-bit)
                SHIFTSR_TRY(readUInt(4, "BININT", &u));
                SHIFTSR_TRY(pushInt(static_cast<std::int32_t>(static_cast<std::uint32_t>(u))));
                break;
            case 'K': // BININT1
                SHIFTSR_TRY(readUInt(1, "BININT1", &u));
                SHIFTSR_TRY(pushInt(static_cast<std::int64_t>(u)));
                break;
            case 'M': // BININT2
                SHIFTSR_TRY(readUInt(2, "BININT2", &u));
                SHIFTSR_TRY(pushInt(static_cast<std::int64_t>(u)));
                break;
            case 0x8a:   // LONG1
            case 0x8b: { // LONG4
                SHIFTSR_TRY(readUInt(op == 0x8a ? 1 : 4, "LONG", &u));
                if (u > 8)
                    return unsupported("checkpoint holds an integer wider than 64 bits");
                if (!need(static_cast<std::size_t>(u)))
                    return truncated("LONG", u);
                std::uint64_t v = 0;
                for (std::size_t k = 0; k < u; ++k)
                    v |= static_cast<std::uint64_t>(p_[pos_ + k]) << (8 * k);
                if (u > 0 && u < 8 && (p_[pos_ + u - 1] & 0x80))
                    v |= ~0ull << (8 * u); // sign-extend
                pos_ += static_cast<std::size_t>(u);
                SHIFTSR_TRY(pushInt(static_cast<std::int64_t>(v)));
                break;
            }
            case 'G': { // BINFLOAT (big-endian double)
                if (!need(8))
                    return truncated("BINFLOAT", 8);
                const std::uint64_t bits = bytes::be64(p_ + pos_);
                pos_ += 8;
                PyRef o = make(Kind::Float);
                std::memcpy(&o->f, &bits, 8);
                SHIFTSR_TRY(push(std::move(o)));
                break;
            }
            case 0x88:   // NEWTRUE
            case 0x89: { // NEWFALSE
                PyRef o = make(Kind::Bool);
                o->i = op == 0x88 ? 1 : 0;
                SHIFTSR_TRY(push(std::move(o)));
                break;
            }
            case 'N': // NONE
                SHIFTSR_TRY(push(make(Kind::None)));
                break;
            case 'X': // BINUNICODE
                SHIFTSR_TRY(readUInt(4, "BINUNICODE", &u));
                SHIFTSR_TRY(pushString(Kind::Str, u, "BINUNICODE"));
                break;
            case 0x8c: // SHORT_BINUNICODE
                SHIFTSR_TRY(readUInt(1, "SHORT_BINUNICODE", &u));
                SHIFTSR_TRY(pushString(Kind::Str, u, "SHORT_BINUNICODE"));
                break;
            case 0x8d: // BINUNICODE8
                SHIFTSR_TRY(readUInt(8, "BINUNICODE8", &u));
                SHIFTSR_TRY(pushString(Kind::Str, u, "BINUNICODE8"));
                break;
            case 'U': // SHORT_BINSTRING (Python 2 str): kept as bytes
                SHIFTSR_TRY(readUInt(1, "SHORT_BINSTRING", &u));
                SHIFTSR_TRY(pushString(Kind::Bytes, u, "SHORT_BINSTRING"));
                break;
            case 'T': // BINSTRING
                SHIFTSR_TRY(readUInt(4, "BINSTRING", &u));
                SHIFTSR_TRY(pushString(Kind::Bytes, u, "BINSTRING"));
                break;
            case 'C': // SHORT_BINBYTES
                SHIFTSR_TRY(readUInt(1, "SHORT_BINBYTES", &u));
                SHIFTSR_TRY(pushString(Kind::Bytes, u, "SHORT_BINBYTES"));
                break;
            case 'B': // BINBYTES
                SHIFTSR_TRY(readUInt(4, "BINBYTES", &u));
                SHIFTSR_TRY(pushString(Kind::Bytes, u, "BINBYTES"));
                break;
            case 0x8e: // BINBYTES8
                SHIFTSR_TRY(readUInt(8, "BINBYTES8", &u));
                SHIFTSR_TRY(pushString(Kind::Bytes, u, "BINBYTES8"));
                break;
            case 'c': { // GLOBAL
                std::string module, name;
                SHIFTSR_TRY(readLine(&module));
                SHIFTSR_TRY(readLine(&name));
                SHIFTSR_TRY(pushGlobal(module, name));
                break;
            }
            case 0x93: { // STACK_GLOBAL
                PyRef name, module;
                SHIFTSR_TRY(pop(&name));
                SHIFTSR_TRY(pop(&module));
                if (name->kind != Kind::Str || module->kind != Kind::Str)
                    return bad("STACK_GLOBAL expects two strings");
                SHIFTSR_TRY(pushGlobal(module->s, name->s));
                break;
            }
            case 'R': { // REDUCE
                PyRef args, fn, out;
                SHIFTSR_TRY(pop(&args));
                SHIFTSR_TRY(pop(&fn));
                SHIFTSR_TRY(call(*fn, *args, &out));
                SHIFTSR_TRY(push(std::move(out)));
                break;
            }
            case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
                PyRef args, cls;
                SHIFTSR_TRY(pop(&args));
                SHIFTSR_TRY(pop(&cls));
                if (cls->kind != Kind::Global ||
                    (cls->global != GlobalId::OrderedDict && cls->global != GlobalId::Set))
                    return unsupported(std::string("checkpoint instantiates '") +
                                       (cls->kind == Kind::Global ? cls->s : kindName(cls->kind)) +
                                       "' with NEWOBJ, which this loader does not support");
                PyRef empty = make(Kind::Tuple);
                PyRef out;
                SHIFTSR_TRY(call(*cls, *empty, &out));
                SHIFTSR_TRY(push(std::move(out)));
                break;
            }
            case 'b': { // BUILD: state of an OrderedDict (_metadata) or parameter: ignored
                PyRef state;
                PyRef* t = nullptr;
                SHIFTSR_TRY(pop(&state));
                SHIFTSR_TRY(top(&t));
                break;
            }
            case 'Q': { // BINPERSID
                PyRef pid, out;
                SHIFTSR_TRY(pop(&pid));
                SHIFTSR_TRY(persistentLoad(*pid, &out));
                SHIFTSR_TRY(push(std::move(out)));
                break;
            }
            default: {
                const char* name = opcodeName(op);
                if (name)
                    return unsupported(std::string("pickle opcode ") + name +
                                       " is not supported by this safe loader");
                char hex[8];
                std::snprintf(hex, sizeof(hex), "0x%02x", op);
                return bad(std::string("invalid pickle opcode ") + hex + ": data.pkl is corrupt");
            }
            }
        }
        return bad("pickle ends without a STOP opcode (truncated)");
    }
};

} // namespace

const char* kindName(Kind k) {
    switch (k) {
    case Kind::None:
        return "None";
    case Kind::Bool:
        return "bool";
    case Kind::Int:
        return "int";
    case Kind::Float:
        return "float";
    case Kind::Str:
        return "str";
    case Kind::Bytes:
        return "bytes";
    case Kind::Tuple:
        return "tuple";
    case Kind::List:
        return "list";
    case Kind::Dict:
        return "dict";
    case Kind::Set:
        return "set";
    case Kind::Global:
        return "class or function";
    case Kind::Storage:
        return "storage";
    case Kind::Tensor:
        return "tensor";
    case Kind::Opaque:
        return "object";
    }
    return "?";
}

// "a dict", "an int": for messages.
std::string aKind(Kind k) {
    const std::string name = kindName(k);
    const bool vowel = std::string("aeiou").find(name[0]) != std::string::npos;
    return (vowel ? "an " : "a ") + name;
}

Status unpickle(const std::uint8_t* data, std::size_t size, const std::string& where, PyRef* root,
                std::map<std::string, std::uint64_t>* storageBytes) {
    Unpickler unpickler(data, size, where);
    SHIFTSR_TRY(unpickler.run(root));
    *storageBytes = unpickler.storageBytes();
    return Status::ok();
}

} // namespace shiftsr::checkpoint
