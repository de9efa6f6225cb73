// Status and Result<T>: how every public engine call reports failure, with a message a user can act
// on.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace shiftsr {

enum class StatusCode {
    Ok = 0,
    InvalidArgument, // the caller asked for something impossible (bad option, bad size)
    NotFound,        // a file or folder does not exist
    InvalidFile,     // a file exists but is corrupt, truncated or of the wrong kind
    Unsupported,     // valid input this build cannot handle (dtype, format version, device)
    OutOfMemory,     // host or device memory ran out
    Cancelled,       // the caller's cancel flag was raised
    IoError,         // reading or writing failed (permissions, disk full)
    Internal,        // a bug: please report
};

class [[nodiscard]] Status {
public:
    Status() = default;
    static Status ok() { return Status(); }
    static Status error(StatusCode code, std::string message) {
        return Status(code, std::move(message));
    }

    bool isOk() const { return code_ == StatusCode::Ok; }
    explicit operator bool() const { return isOk(); }
    StatusCode code() const { return code_; }
    const std::string& message() const { return message_; }

    // Prefixes context ("loading model.safetensors: ") to the message of an error.
    Status withContext(const std::string& context) const {
        if (isOk())
            return *this;
        return Status(code_, context + ": " + message_);
    }

private:
    Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
    StatusCode code_ = StatusCode::Ok;
    std::string message_;
};

template <class T> class [[nodiscard]] Result {
public:
    Result(T value) : value_(std::move(value)) {}
    Result(Status status) : status_(std::move(status)) {
        if (status_.isOk())
            status_ = Status::error(StatusCode::Internal,
                                    "Result built from an ok Status without a value");
    }

    bool isOk() const { return value_.has_value(); }
    explicit operator bool() const { return isOk(); }
    const Status& status() const { return status_; }
    const T& value() const& { return *value_; }
    T& value() & { return *value_; }
    T&& value() && { return std::move(*value_); }
    const T* operator->() const { return &*value_; }
    T* operator->() { return &*value_; }
    const T& operator*() const& { return *value_; }
    T& operator*() & { return *value_; }

private:
    std::optional<T> value_;
    Status status_;
};

// Human-readable byte count ("3.2 MB") for messages.
std::string formatBytes(unsigned long long bytes);

} // namespace shiftsr
