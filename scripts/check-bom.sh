#!/usr/bin/env bash
# Checks that hallpass-bom (which cannot inherit from the parent POM) stays in step with it: the
# same version and build time stamp, and exactly the published modules in its
# dependencyManagement (every module of the root pom.xml, profiles included, except hallpass-bom
# and those that set <hallpass.unpublished>true</hallpass.unpublished>). Exits 1 and says what
# differs otherwise.
# Usage: scripts/check-bom.sh   (from anywhere; needs only bash, grep, sed, sort)
set -euo pipefail
cd "$(dirname "$0")/.."

# The first <version> in a POM outside <parent> is the project's own (both POMs here put it
# before any dependency).
# (No grep -m1 or head here: under pipefail, a reader that stops early fails the pipeline.)
own_version() { sed '/<parent>/,/<\/parent>/d' "$1" | sed -n 's:.*<version>\([^<]*\)</version>.*:\1:p' | awk 'NR == 1'; }

parent_version=$(own_version pom.xml)
bom_version=$(own_version hallpass-bom/pom.xml)
status=0
if [ "$parent_version" != "$bom_version" ]; then
  echo "check-bom: hallpass-bom is version $bom_version, the parent $parent_version" >&2
  status=1
fi

stamp() { sed -n 's:.*<project.build.outputTimestamp>\(.*\)</project.build.outputTimestamp>.*:\1:p' "$1"; }
if [ "$(stamp pom.xml)" != "$(stamp hallpass-bom/pom.xml)" ]; then
  echo "check-bom: project.build.outputTimestamp differs: $(stamp hallpass-bom/pom.xml) in" \
    "hallpass-bom, $(stamp pom.xml) in the parent" >&2
  status=1
fi

expected=$(grep -o '<module>[^<]*</module>' pom.xml | sed 's/<[^>]*>//g' | sort -u | while read -r m; do
  [ "$m" = hallpass-bom ] && continue
  grep -q '<hallpass.unpublished>true</hallpass.unpublished>' "$m/pom.xml" && continue
  sed -n 's:^  <artifactId>\(.*\)</artifactId>$:\1:p' "$m/pom.xml"
done | sort)
listed=$(sed -n '/<dependencyManagement>/,/<\/dependencyManagement>/p' hallpass-bom/pom.xml \
  | grep -o '<artifactId>[^<]*</artifactId>' | sed 's/<[^>]*>//g' | sort)
if [ "$expected" != "$listed" ]; then
  echo "check-bom: hallpass-bom lists [$(echo $listed)], the published modules are [$(echo $expected)]" >&2
  status=1
fi
[ "$status" = 0 ] && echo "check-bom: hallpass-bom $bom_version lists the published modules: $(echo $listed)"
exit $status
