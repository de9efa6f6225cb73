// Helpers shared by the shiftsr-cli commands.
#include "common.h"

#include "shiftsr/resources/embedded.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace cli {

shiftsr::Result<std::shared_ptr<const shiftsr::Model>> loadModel(const std::string& spec,
                                                                 const shiftsr::LoadOptions& o) {
    return shiftsr::resources::loadModelSpec(spec, o);
}

shiftsr::Result<ChildRun> runSelf(const std::vector<std::string>& args) {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec)
        return shiftsr::Status::error(shiftsr::StatusCode::Unsupported,
                                      "cannot find this program (/proc/self/exe)");
    int fds[2];
    if (::pipe(fds) != 0)
        return shiftsr::Status::error(shiftsr::StatusCode::Internal, "cannot create a pipe");
    std::vector<std::string> argvStore{self.string()};
    argvStore.insert(argvStore.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argvStore)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0)
        return shiftsr::Status::error(shiftsr::StatusCode::Internal, "cannot start a process");
    if (pid == 0) {
        ::dup2(fds[1], STDOUT_FILENO);
        ::close(fds[0]);
        ::close(fds[1]);
        ::execv(argv[0], argv.data());
        std::_Exit(127);
    }
    ::close(fds[1]);
    ChildRun run;
    char buf[4096];
    for (ssize_t got; (got = ::read(fds[0], buf, sizeof buf)) > 0;)
        run.out.append(buf, size_t(got));
    ::close(fds[0]);
    int status = 0;
    struct rusage usage {};
    if (::wait4(pid, &status, 0, &usage) != pid)
        return shiftsr::Status::error(shiftsr::StatusCode::Internal, "lost the benchmark process");
    run.wallS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    run.peakRssMb = double(usage.ru_maxrss) / 1024.0; // kilobytes on Linux
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return shiftsr::Status::error(shiftsr::StatusCode::Internal,
                                      "'" + args.front() + "' failed (see above)");
    return run;
}

} // namespace cli
