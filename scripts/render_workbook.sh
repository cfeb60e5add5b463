#!/usr/bin/env bash
# Render the workbook's main sheets to PNG for the README (LibreOffice -> PDF -> PNG pages).
# A page belongs to the sheet its printed header names ("CPO market model   <sheet>   cpo-xl ...").
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
soffice "-env:UserInstallation=file://$out/profile" --headless --convert-to pdf --outdir "$out" workbook/CPO_Model.xlsx >/dev/null
mkdir -p docs/img
pages=$(pdfinfo "$out/CPO_Model.pdf" | awk '/Pages/ {print $2}')
page() {  # first page of sheet $1 -> docs/img/$2.png
    local n
    local i header
    for i in $(seq 1 "$pages"); do
        header=$(pdftotext -layout -f "$i" -l "$i" "$out/CPO_Model.pdf" - | sed -n 1,3p)
        if [[ $header =~ CPO\ market\ model\ +$1\ +cpo-xl ]]; then n=$i; break; fi
    done
    pdftoppm -r "${3:-70}" -png -singlefile -f "$n" -l "$n" "$out/CPO_Model.pdf" "docs/img/$2"
}
page Summary summary 90
page Demand demand
page TAM tam
page Penetration penetration
page Elasticity elasticity
page Risk risk
page Checks checks
page Bridge bridge
rm -rf "$out"
echo "rendered docs/img/{summary,demand,tam,penetration,elasticity,risk,checks,bridge}.png"
