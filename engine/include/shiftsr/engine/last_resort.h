// Last-resort error handling for main(): no exception ends a program without a one-line message.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <string>

namespace shiftsr {

namespace last_resort_detail {
inline const char* gProgram = "shiftsr";

// The first line of an exception text (LibTorch appends a backtrace), at most 300 characters.
inline std::string firstLine(const char* what) {
    std::string s = what ? what : "";
    const auto nl = s.find('\n');
    if (nl != std::string::npos)
        s.resize(nl);
    if (s.size() > 300)
        s = s.substr(0, 300) + "...";
    return s.empty() ? std::string("unknown error") : s;
}
} // namespace last_resort_detail

// Prints "PROGRAM: internal error: WHAT" (or "PROGRAM: out of memory") for the exception being
// handled. Call it only inside a catch block or with a current exception.
inline void reportException(std::exception_ptr e) {
    const char* program = last_resort_detail::gProgram;
    try {
        std::rethrow_exception(e);
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "%s: out of memory\n", program);
    } catch (const std::exception& x) {
        std::fprintf(stderr, "%s: internal error: %s\n", program,
                     last_resort_detail::firstLine(x.what()).c_str());
    } catch (...) {
        std::fprintf(stderr, "%s: internal error: unknown exception\n", program);
    }
    std::fflush(stderr);
}

// Names the program in the messages and turns an exception that escapes a thread (std::terminate)
// into the same one-line message and exit status 1 instead of an abort.
inline void installLastResortHandler(const char* program) {
    last_resort_detail::gProgram = program;
    std::set_terminate([] {
        if (const auto e = std::current_exception())
            reportException(e);
        else
            std::fprintf(stderr, "%s: internal error: terminated\n", last_resort_detail::gProgram);
        std::_Exit(1);
    });
}

// Runs body (main's work) and turns any exception escaping it into one line on stderr and exit 1.
template <class F> int runWithLastResort(const char* program, F&& body) {
    installLastResortHandler(program);
    try {
        return body();
    } catch (...) {
        reportException(std::current_exception());
        return 1;
    }
}

} // namespace shiftsr
