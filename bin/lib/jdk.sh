# Finds a JDK >= 25 and exports JAVA_HOME and JAVA. Sourced by bin/memfabric and bin/test.
# Order: $JAVA_HOME, then every /usr/lib/jvm/* (newest first), then `java` on the PATH.

memfabric_java_major() { # java-binary -> major version, or nothing
    local v
    v=$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
    [[ $v =~ ^[0-9]+$ ]] && echo "$v"
}

memfabric_find_jdk() {
    local candidates=() c major
    [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
    for c in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${c%/}"); done
    if command -v java >/dev/null 2>&1; then
        c=$(readlink -f "$(command -v java)"); candidates+=("${c%/bin/java}")
    fi
    for c in "${candidates[@]}"; do
        [[ -x $c/bin/java && -x $c/bin/javac ]] || continue
        major=$(memfabric_java_major "$c/bin/java")
        if [[ -n $major && $major -ge 25 ]]; then
            export JAVA_HOME=$c JAVA=$c/bin/java
            return 0
        fi
    done
    cat >&2 <<'MSG'
memfabric needs a JDK 25 or newer (java and javac), and none was found in $JAVA_HOME, /usr/lib/jvm/* or the PATH.
Install one, for example Eclipse Temurin 25 (https://adoptium.net: package temurin-25-jdk), then run this again,
or point JAVA_HOME at it.
MSG
    return 1
}
