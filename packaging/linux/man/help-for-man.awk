# Filters a program's --help for help2man, which would fill a whole "Usage:" block into one
# paragraph: in that block (up to the first empty line) each usage line becomes a paragraph of its
# own, the deeper-indented lines that explain it joined to it, and a gap between a usage and its
# note becomes a dash (help2man would take the gap for an option's description column).
/^Usage:$/ { usage = 1; print; next }
usage && /^$/ { flush(); usage = 0; print; next }
usage && /^   / { sub(/^ +/, ""); line = line " " $0; next }
usage { flush(); line = $0; next }
{ print }
END { flush() }
function flush() {
    if (line != "") {
        while (match(line, /[^ ]  +/))
            line = substr(line, 1, RSTART) " \342\200\224 " substr(line, RSTART + RLENGTH)
        print line "\n"
    }
    line = ""
}
