#!/usr/bin/env bash
# Render the workbook's main sheets to PNG for the README (LibreOffice -> PDF -> PNG pages).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
soffice "-env:UserInstallation=file://$out/profile" --headless --convert-to pdf --outdir "$out" workbook/CPO_Model.xlsx >/dev/null
mkdir -p docs/img
page() {  # page whose first line starts with $1 -> docs/img/$2.png
    local n
    n=$(for i in $(seq 1 "$(pdfinfo "$out/CPO_Model.pdf" | awk '/Pages/ {print $2}')"); do
        pdftotext -f "$i" -l "$i" "$out/CPO_Model.pdf" - | sed -n 1,3p | grep -q "^$1" && echo "$i" && break; done)
    pdftoppm -r 70 -png -singlefile -f "$n" -l "$n" "$out/CPO_Model.pdf" "docs/img/$2"
}
page "Demand:" demand
page "TAM by value-chain" tam
page "Penetration:" penetration
page "Elasticity:" elasticity
page "Risk:" risk
page "Checks:" checks
page "Bridge:" bridge
rm -rf "$out"
echo "rendered docs/img/{demand,tam,penetration,elasticity,risk,checks,bridge}.png"
