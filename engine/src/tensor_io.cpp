// safetensors <-> torch::Tensor conversions and strict state-dict loading.
#include "shiftsr/nn/tensor_io.h"

#include <cstring>

#include <sstream>

namespace shiftsr {

bool toScalarType(DType d, torch::ScalarType* out) {
    switch (d) {
    case DType::F32:
        *out = torch::kFloat;
        return true;
    case DType::F16:
        *out = torch::kHalf;
        return true;
    case DType::BF16:
        *out = torch::kBFloat16;
        return true;
    case DType::F64:
        *out = torch::kDouble;
        return true;
    case DType::I64:
        *out = torch::kLong;
        return true;
    case DType::I32:
        *out = torch::kInt;
        return true;
    case DType::I16:
        *out = torch::kShort;
        return true;
    case DType::I8:
        *out = torch::kChar;
        return true;
    case DType::U8:
        *out = torch::kByte;
        return true;
    case DType::Bool:
        *out = torch::kBool;
        return true;
    }
    return false;
}

bool fromScalarType(torch::ScalarType t, DType* out) {
    switch (t) {
    case torch::kFloat:
        *out = DType::F32;
        return true;
    case torch::kHalf:
        *out = DType::F16;
        return true;
    case torch::kBFloat16:
        *out = DType::BF16;
        return true;
    case torch::kDouble:
        *out = DType::F64;
        return true;
    case torch::kLong:
        *out = DType::I64;
        return true;
    case torch::kInt:
        *out = DType::I32;
        return true;
    case torch::kShort:
        *out = DType::I16;
        return true;
    case torch::kChar:
        *out = DType::I8;
        return true;
    case torch::kByte:
        *out = DType::U8;
        return true;
    case torch::kBool:
        *out = DType::Bool;
        return true;
    default:
        return false;
    }
}

Result<torch::Tensor> readTensor(const SafeTensorsFile& file, const TensorEntry& e) {
    torch::ScalarType st;
    if (!toScalarType(e.dtype, &st))
        return Status::error(StatusCode::Unsupported,
                             "unsupported dtype of tensor '" + e.name + "'");
    auto t = torch::empty(e.shape, torch::TensorOptions().dtype(st));
    const size_t bytes = size_t(t.numel()) * t.element_size();
    if (Status s = file.read(e, t.data_ptr(), bytes); !s)
        return s;
    return t;
}

Result<std::map<std::string, torch::Tensor>> readTensors(const SafeTensorsFile& file,
                                                         const std::string& prefix) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& e : file.tensors()) {
        if (e.name.compare(0, prefix.size(), prefix) != 0)
            continue;
        auto t = readTensor(file, e);
        if (!t)
            return t.status();
        out.emplace(e.name.substr(prefix.size()), std::move(t.value()));
    }
    return out;
}

Status addTensor(SafeTensorsWriter& writer, const std::string& name, const torch::Tensor& t) {
    DType d;
    if (!fromScalarType(t.scalar_type(), &d))
        return Status::error(StatusCode::Unsupported,
                             "cannot store tensor '" + name + "' of this dtype");
    auto c = t.detach().to(torch::kCPU).contiguous();
    std::vector<int64_t> shape(c.sizes().begin(), c.sizes().end());
    return writer.add(name, d, shape, c.data_ptr(), size_t(c.numel()) * c.element_size());
}

Status addModule(SafeTensorsWriter& writer, const std::string& prefix, const torch::nn::Module& m,
                 bool includeBuffers) {
    for (const auto& p : m.named_parameters(true))
        if (Status s = addTensor(writer, prefix + p.key(), p.value()); !s)
            return s;
    if (includeBuffers)
        for (const auto& b : m.named_buffers(true))
            if (Status s = addTensor(writer, prefix + b.key(), b.value()); !s)
                return s;
    return Status::ok();
}

static std::string shapeText(at::IntArrayRef s) {
    std::ostringstream os;
    os << s;
    return os.str();
}

Result<LoadReport> loadStateDict(torch::nn::Module& module,
                                 const std::map<std::string, torch::Tensor>& tensors,
                                 const std::string& what) {
    torch::NoGradGuard noGrad;
    std::set<std::string> used;
    auto assign = [&](const std::string& name, torch::Tensor& dst, bool required) -> Status {
        auto it = tensors.find(name);
        if (it == tensors.end()) {
            if (required)
                return Status::error(StatusCode::InvalidFile,
                                     what + " lacks tensor '" + name + "' " +
                                         shapeText(dst.sizes()) +
                                         ": the file does not match its architecture metadata");
            return Status::ok();
        }
        if (it->second.sizes() != dst.sizes())
            return Status::error(StatusCode::InvalidFile,
                                 what + ": tensor '" + name + "' has shape " +
                                     shapeText(it->second.sizes()) +
                                     " but the architecture needs " + shapeText(dst.sizes()));
        // Parameters must be stored as floats; derived integer buffers (swin position indices)
        // may come as floats, as in files exported with every tensor cast to F32.
        if (required && dst.is_floating_point() != it->second.is_floating_point())
            return Status::error(StatusCode::InvalidFile,
                                 what + ": tensor '" + name + "' has dtype " +
                                     std::string(c10::toString(it->second.scalar_type())) +
                                     " but the architecture needs a " +
                                     (dst.is_floating_point() ? "floating-point" : "integer") +
                                     " dtype");
        dst.copy_(it->second.to(dst.scalar_type()));
        used.insert(name);
        return Status::ok();
    };
    for (auto& p : module.named_parameters(true))
        if (Status s = assign(p.key(), p.value(), true); !s)
            return s;
    for (auto& b : module.named_buffers(true))
        if (Status s = assign(b.key(), b.value(), false); !s)
            return s;
    LoadReport report;
    for (const auto& kv : tensors)
        if (!used.count(kv.first))
            report.unexpected.push_back(kv.first);
    return report;
}

Result<std::map<std::string, torch::Tensor>> readCheckpointTensors(const TorchCheckpoint& ck,
                                                                   const std::string& path) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& t : ck.tensors()) {
        auto bytes = ck.readContiguous(t);
        if (!bytes)
            return bytes.status();
        torch::ScalarType st;
        if (!toScalarType(t.dtype, &st))
            return Status::error(StatusCode::Unsupported,
                                 path + ": tensor '" + t.name + "' has an unsupported dtype");
        auto tensor = torch::empty(t.shape, torch::TensorOptions().dtype(st));
        if (size_t(tensor.numel()) * tensor.element_size() != bytes->size())
            return Status::error(StatusCode::InvalidFile,
                                 path + ": tensor '" + t.name + "' has inconsistent size");
        std::memcpy(tensor.data_ptr(), bytes->data(), bytes->size());
        out.emplace(t.name, tensor);
    }
    return out;
}

} // namespace shiftsr
