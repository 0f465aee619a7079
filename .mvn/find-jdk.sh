# Sourced by ./mvnw and bin scripts: sets JAVA_HOME to a JDK whose major version is >= PARCEL_MIN_JAVA (21).
# Order: $JAVA_HOME if new enough, `java` on the PATH if new enough, else the newest JDK under /usr/lib/jvm.
PARCEL_MIN_JAVA=${PARCEL_MIN_JAVA:-21}

parcel_java_major() { # $1 = java executable; prints its major version or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

parcel_find_jdk() {
  _cand=""
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    _v=$(parcel_java_major "$JAVA_HOME/bin/java"); [ "${_v:-0}" -ge "$PARCEL_MIN_JAVA" ] && return 0
  fi
  if command -v javac >/dev/null 2>&1; then
    _home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    _v=$(parcel_java_major "$_home/bin/java"); if [ "${_v:-0}" -ge "$PARCEL_MIN_JAVA" ]; then JAVA_HOME=$_home; export JAVA_HOME; return 0; fi
  fi
  _best=0
  for _dir in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.jdks/*; do
    [ -x "$_dir/bin/javac" ] || continue
    _v=$(parcel_java_major "$_dir/bin/java")
    if [ "${_v:-0}" -ge "$PARCEL_MIN_JAVA" ] && [ "${_v:-0}" -gt "$_best" ]; then _best=$_v; _cand=$_dir; fi
  done
  if [ -n "$_cand" ]; then JAVA_HOME=$_cand; export JAVA_HOME; return 0; fi
  echo "parcel: needs a JDK $PARCEL_MIN_JAVA or newer and found none (looked at JAVA_HOME, PATH, /usr/lib/jvm)." >&2
  echo "parcel: install one (e.g. 'apt-get install openjdk-21-jdk' or Temurin 21) or set JAVA_HOME to it." >&2
  return 1
}
