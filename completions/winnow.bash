# bash completion for winnow(1) and winnowd(8). Installed as
# /usr/share/bash-completion/completions/winnow (and a winnowd symlink to it).
# Written from `winnow VERB --help`: when a verb's flags change, change them here too.

_winnow_flags() {
  case $1 in
    extract) echo "--url --content-type --format --explain --removed --front-matter --links --images --no-tables
                   --input-dir --jobs --urls --tune" ;;
    feed) echo "--url --content-type --json" ;;
    feeds) echo "--title --category --json --dry-run" ;;
    crawl) echo "--print --format --links --images --no-robots --quiet --delay --concurrency" ;;
    search) echo "--limit --json --fts5" ;;
    show) echo "--format --links --images --raw" ;;
    export) echo "--since --format --gzip --limit --originals-only --output" ;;
    reextract) echo "--all" ;;
    reload) echo "--pid-file" ;;
    migrate) echo "--from --to --batch --dry-run" ;;
  esac
}

_winnow() {
  local cur prev verb i
  COMPREPLY=()
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  local verbs="extract feed feeds crawl search show export reextract reload migrate help"

  case $prev in
    --config|--archive|--output|--urls|--pid-file)
      COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
    --input-dir)
      COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
    --format)
      local verb_at=${COMP_WORDS[1]}
      case $verb_at in
        export) COMPREPLY=($(compgen -W "jsonl text markdown warc" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "text markdown json" -- "$cur")) ;;
      esac
      return ;;
    --from)
      # sqlite:PATH: complete the path after the prefix.
      local path=${cur#sqlite:}
      COMPREPLY=($(compgen -f -P sqlite: -- "$path")); compopt -o filenames 2>/dev/null; return ;;
    --url|--content-type|--jobs|--title|--category|--limit|--since|--tune|--delay|--concurrency|--to|--batch)
      return ;;
  esac

  if ((COMP_CWORD == 1)); then
    COMPREPLY=($(compgen -W "$verbs --help --version" -- "$cur"))
    return
  fi
  verb=${COMP_WORDS[1]}
  case $verb in
    help)
      if ((COMP_CWORD == 2)); then
        COMPREPLY=($(compgen -W "${verbs% help}" -- "$cur"))
      elif ((COMP_CWORD == 3)); then
        case ${COMP_WORDS[2]} in
          feed) COMPREPLY=($(compgen -W "parse discover" -- "$cur")) ;;
          feeds) COMPREPLY=($(compgen -W "add remove list import export" -- "$cur")) ;;
        esac
      fi
      return ;;
    feed)
      if ((COMP_CWORD == 2)); then COMPREPLY=($(compgen -W "parse discover" -- "$cur")); return; fi ;;
    feeds)
      if ((COMP_CWORD == 2)); then COMPREPLY=($(compgen -W "add remove list import export" -- "$cur")); return; fi ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_winnow_flags "$verb") --config --archive --help" -- "$cur"))
    return
  fi
  case $verb in
    extract|feed|feeds|crawl)
      COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null ;;
  esac
}

_winnowd() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  case $prev in
    --config|--pid-file|--check-config)
      COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null ;;
    *)
      COMPREPLY=($(compgen -W "--config --pid-file --check-config --version --help" -- "$cur")) ;;
  esac
}

complete -F _winnow winnow
complete -F _winnowd winnowd
