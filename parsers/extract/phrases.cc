#include "parsers/extract/phrases.h"

#include <array>
#include <cstdint>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "base/ascii.h"

namespace winnow::parsers {
namespace {

using namespace std::string_view_literals;


constexpr auto kChallengeTitle = std::array{
    // en
    "just a moment"sv, "one moment, please"sv, "checking your browser"sv, "checking if the site connection"sv,
    "verify you are human"sv, "verifying you are human"sv, "verify that you are human"sv, "are you a robot"sv,
    "are you human"sv, "not a robot"sv, "not a bot"sv, "attention required"sv, "access denied"sv,
    "access to this page has been denied"sv, "you have been blocked"sv, "security check"sv, "bot verification"sv,
    "human verification"sv, "ddos protection"sv, "pardon our interruption"sv, "request unsuccessful"sv,
    "one more step"sv,
    // de
    "nur einen moment"sv, "einen moment bitte"sv, "ihr browser wird überprüft"sv, "überprüfung ihres browsers"sv,
    "sicherheitsüberprüfung"sv, "dass sie ein mensch sind"sv, "sind sie ein roboter"sv, "zugriff verweigert"sv,
    // fr
    "un instant"sv, "vérification de votre navigateur"sv, "vérification du navigateur"sv,
    "vous êtes humain"sv, "êtes-vous un robot"sv, "accès refusé"sv, "accès interdit"sv,
    // es
    "un momento"sv, "comprobando su navegador"sv, "comprobando tu navegador"sv, "verificando su navegador"sv,
    "es un ser humano"sv, "eres humano"sv, "eres un robot"sv, "acceso denegado"sv,
    // it
    "solo un momento"sv, "controllo del browser"sv, "verifica del browser"sv, "sia un essere umano"sv,
    "sei un robot"sv, "accesso negato"sv,
    // pt
    "um momento"sv, "verificando seu navegador"sv, "verificando o seu navegador"sv, "você é humano"sv,
    "você é um robô"sv, "acesso negado"sv,
    // nl
    "een ogenblik"sv, "even geduld"sv, "browser wordt gecontroleerd"sv, "een mens bent"sv, "ben je een robot"sv,
    "toegang geweigerd"sv,
    // pl
    "chwileczkę"sv, "sprawdzanie przeglądarki"sv, "jesteś człowiekiem"sv, "czy jesteś robotem"sv,
    "odmowa dostępu"sv, "dostęp zabroniony"sv, "dostęp zablokowany"sv,
    // ru
    "одну минуту"sv, "один момент"sv, "проверка браузера"sv, "проверяем ваш браузер"sv, "что вы человек"sv,
    "вы не робот"sv, "доступ запрещен"sv, "доступ запрещён"sv, "доступ ограничен"sv,
    // ja
    "しばらくお待ちください"sv, "少々お待ちください"sv, "ブラウザを確認しています"sv, "人間であることを確認"sv,
    "ロボットではありません"sv, "アクセスが拒否されました"sv,
    // zh
    "请稍候"sv, "請稍候"sv, "请稍等"sv, "正在检查您的浏览器"sv, "正在檢查您的瀏覽器"sv, "您是真人"sv,
    "您是人类"sv, "访问被拒绝"sv, "拒绝访问"sv, "拒絕存取"sv,
    // sv, da, no, fi, cs, tr, ko
    "bekräfta att du är en människa"sv, "är du en robot"sv, "åtkomst nekad"sv, "du er et menneske"sv,
    "adgang nægtet"sv, "tilgang nektet"sv, "olet ihminen"sv, "pääsy estetty"sv, "jste člověk"sv,
    "přístup odepřen"sv, "erişim engellendi"sv, "insan olduğunuzu"sv, "잠시만 기다"sv,
    // "Access to this page has been denied", "Security check", "I am not a robot" in many tongues
    "denegado el acceso"sv, "accès à cette page"sv, "zugriff auf diese seite"sv, "accesso a questa pagina"sv,
    "acesso a esta página"sv, "toegang tot deze pagina"sv, "dostęp do tej strony"sv, "sicherheitsabfrage"sv,
    "vérification de sécurité"sv, "contrôle de sécurité"sv, "verificación de seguridad"sv,
    "control de seguridad"sv, "verifica di sicurezza"sv, "controllo di sicurezza"sv,
    "verificação de segurança"sv, "beveiligingscontrole"sv, "veiligheidscontrole"sv,
    "kontrola bezpieczeństwa"sv, "weryfikacja bezpieczeństwa"sv, "проверка безопасности"sv,
    "セキュリティチェック"sv, "安全验证"sv, "安全檢查"sv, "安全检查"sv, "kein roboter"sv, "pas un robot"sv,
    "no soy un robot"sv, "no eres un robot"sv, "non sono un robot"sv, "non essere un robot"sv,
    "não sou um robô"sv, "geen robot"sv, "nie jestem robotem"sv, "не робот"sv, "不是机器人"sv,
    "confirm you are human"sv, "confirm you're human"sv, "robot or human"sv, "human or robot"sv,
    "access to this site has been limited"sv,
};

constexpr auto kChallengeText = std::array{
    // en
    "enable javascript and cookies"sv, "turn javascript on and reload"sv, "enable cookies and reload"sv,
    "checking your browser"sv, "checking if the site connection is secure"sv,
    "review the security of your connection"sv, "verify you are human"sv, "verify you are a human"sv,
    "confirm you are a human"sv, "confirm that you are human"sv, "press & hold"sv, "press and hold"sv,
    "not a robot"sv, "are you a robot"sv, "not a bot"sv, "proof-of-work"sv, "proof of work"sv,
    "ddos protection by"sv, "performance & security by"sv, "ray id:"sv,
    "you don't have permission to access"sv, "you do not have permission to access"sv, "reference #"sv,
    "enable js and disable any ad blocker"sv, "unusual traffic"sv, "automated requests"sv,
    "this process is automatic"sv, "your browser will redirect"sv, "incident id"sv, "why have i been blocked"sv,
    // de, fr, es, it, pt, nl, pl, ru, ja, zh
    "javascript und cookies"sv, "ihr browser wird überprüft"sv, "dass sie ein mensch sind"sv,
    "javascript et les cookies"sv, "vous êtes un humain"sv, "javascript y las cookies"sv, "es un ser humano"sv,
    "javascript e i cookie"sv, "sia un essere umano"sv, "javascript e os cookies"sv, "você é humano"sv,
    "javascript en cookies"sv, "een mens bent"sv, "javascript i pliki cookie"sv, "jesteś człowiekiem"sv,
    "javascript и файлы cookie"sv, "что вы человек"sv, "javascriptとcookieを有効"sv, "人間であることを確認"sv,
    "启用 javascript 和 cookie"sv, "您是真人"sv,
    // Cloudflare's "Verifying you are human" and "... needs to review the security of your
    // connection" as it says them in other languages
    "ob sie ein mensch sind"sv, "是否是真人"sv, "la sécurité de votre connexion"sv,
    "die sicherheit ihrer verbindung"sv, "la seguridad de su conexión"sv, "la sicurezza della connessione"sv,
    "a segurança da sua conexão"sv, "de beveiliging van uw verbinding"sv, "bezpieczeństwo połączenia"sv,
    "безопасность вашего подключения"sv, "接続のセキュリティ"sv, "连接的安全性"sv,
    // "press & hold" (PerimeterX/HUMAN), "not a robot", "unusual traffic", browser checks
    "appuyez longuement"sv, "appuyer et maintenir"sv, "maintenez enfoncé"sv, "gedrückt halten"sv,
    "drücken und halten"sv, "mantén pulsado"sv, "mantenga presionado"sv, "mantenga pulsado"sv,
    "tieni premuto"sv, "pressione e segure"sv, "mantenha pressionado"sv, "ingedrukt houden"sv,
    "naciśnij i przytrzymaj"sv, "нажмите и удерживайте"sv, "長押し"sv, "按住"sv, "kein roboter"sv,
    "pas un robot"sv, "no soy un robot"sv, "no eres un robot"sv, "no un bot"sv, "non sono un robot"sv,
    "non essere un robot"sv, "non un robot"sv, "não sou um robô"sv, "não é um robô"sv, "geen robot"sv,
    "nie jestem robotem"sv, "не робот"sv, "ロボットではない"sv, "不是机器人"sv, "ungewöhnlich viele anfragen"sv,
    "ungewöhnlichen datenverkehr"sv, "trafic inhabituel"sv, "tráfico inusual"sv, "traffico insolito"sv,
    "tráfego incomum"sv, "ongebruikelijk verkeer"sv, "nietypowy ruch"sv, "необычный трафик"sv,
    "異常なトラフィック"sv, "异常流量"sv, "проверка браузера"sv, "защита от ddos"sv, "ddos protection"sv,
    "website firewall"sv, "web application firewall"sv, "block id"sv, "block reason"sv, "request blocked"sv,
    "you have been blocked"sv, "access to this site has been limited"sv,
    "request was blocked"sv, "bekräfta att du är en människa"sv, "du er et menneske"sv, "olet ihminen"sv,
    "jste člověk"sv, "insan olduğunuzu"sv, "that you're human"sv, "you're a human"sv, "you're not a robot"sv,
    "you're not a bot"sv,
};

constexpr auto kErrorTitle = std::array{
    // en
    "page not found"sv, "page cannot be found"sv, "page can't be found"sv, "page can’t be found"sv,
    "page could not be found"sv, "page does not exist"sv, "page doesn't exist"sv, "page no longer exists"sv,
    // de
    "seite nicht gefunden"sv, "nicht gefunden"sv, "seite existiert nicht"sv, "fehlerseite"sv,
    // fr
    "page introuvable"sv, "page non trouvée"sv, "page inexistante"sv, "page n'existe pas"sv, "introuvable"sv,
    // es
    "página no encontrada"sv, "no se ha encontrado la página"sv, "no se encontró la página"sv,
    "la página no existe"sv,
    // it
    "pagina non trovata"sv, "pagina non esistente"sv, "la pagina non esiste"sv,
    // pt
    "página não encontrada"sv, "página não existe"sv,
    // nl
    "pagina niet gevonden"sv, "pagina bestaat niet"sv,
    // pl
    "nie znaleziono strony"sv, "strona nie została znaleziona"sv, "strona nie istnieje"sv, "nie znaleziono"sv,
    // ru
    "страница не найдена"sv, "страница не существует"sv, "не найдена"sv,
    // ja
    "ページが見つかりません"sv, "ページは見つかりません"sv, "見つかりませんでした"sv, "ページが存在しません"sv,
    // zh
    "页面未找到"sv, "找不到页面"sv, "页面不存在"sv, "找不到網頁"sv, "找不到网页"sv, "頁面不存在"sv, "找不到該頁面"sv,
    "nie możemy znaleźć"sv, "nie można znaleźć strony"sv, "такой страницы нет"sv, "article not found"sv,
    "story not found"sv, "content not found"sv, "find that page"sv, "find this page"sv, "find the page"sv, "artículo no encontrado"sv, "articolo non trovato"sv,
    "artigo não encontrado"sv, "artikel niet gevonden"sv,
    // sv, da, no, fi, cs, tr, ko
    "sidan kunde inte hittas"sv, "sidan hittades inte"sv, "siden blev ikke fundet"sv, "siden finnes ikke"sv,
    "siden ble ikke funnet"sv, "sivua ei löydy"sv, "sivua ei löytynyt"sv, "stránka nenalezena"sv,
    "stránka nebyla nalezena"sv, "sayfa bulunamadı"sv, "페이지를 찾을 수 없습니다"sv,
};

constexpr auto kErrorTitleWeak = std::array{
    "not found"sv, "error"sv, "oops"sv, "whoops"sv, "something went wrong"sv, "no longer available"sv, "unavailable"sv,
    "fehler"sv, "hoppla"sv, "nicht verfügbar"sv, "erreur"sv, "oups"sv, "non disponible"sv, "errore"sv, "erro"sv,
    "no disponible"sv, "non disponibile"sv, "indisponível"sv, "fout"sv, "niet beschikbaar"sv, "błąd"sv,
    "niedostępna"sv, "ошибка"sv, "недоступна"sv, "エラー"sv, "错误"sv, "錯誤"sv,
    "indisponible"sv, "no está disponible"sv, "não está disponível"sv, "nicht mehr verfügbar"sv,
    "niet meer beschikbaar"sv, "non è più disponibile"sv, "oeps"sv,
};

constexpr auto kErrorText = std::array{
    // en
    "page you are looking for"sv, "page you were looking for"sv, "page you're looking for"sv,
    "page you requested"sv, "could not be found"sv, "couldn't be found"sv, "can't be found"sv,
    "cannot be found"sv, "can’t be found"sv, "nothing was found"sv, "doesn't exist"sv, "doesn’t exist"sv, "does not exist"sv, "no longer exists"sv, "no longer available"sv,
    "may have been moved"sv, "has been moved or deleted"sv, "has been removed"sv, "mistyped"sv,
    "broken link"sv, "error 404"sv, "404 error"sv, "check the url"sv, "check the address"sv,
    // de
    "gesuchte seite"sv, "existiert nicht"sv, "nicht gefunden"sv, "nicht mehr verfügbar"sv,
    // fr
    "la page que vous recherchez"sv, "la page demandée"sv, "n'existe pas"sv, "n'existe plus"sv, "introuvable"sv,
    // es
    "la página que buscas"sv, "la página que busca"sv, "no existe"sv, "no se ha encontrado"sv,
    // it
    "la pagina che stai cercando"sv, "la pagina richiesta"sv, "non esiste"sv, "non è stata trovata"sv,
    // pt
    "a página que você procura"sv, "a página que procura"sv, "não existe"sv, "não foi encontrada"sv,
    // nl
    "de pagina die je zoekt"sv, "de pagina die u zoekt"sv, "bestaat niet"sv, "niet gevonden"sv,
    // pl
    "strona, której szukasz"sv, "nie istnieje"sv, "nie została znaleziona"sv,
    // ru
    "страница, которую вы ищете"sv, "не существует"sv, "не найдена"sv,
    // ja, zh
    "お探しのページ"sv, "見つかりません"sv, "存在しません"sv, "您访问的页面"sv, "您要访问的页面"sv,
    "页面不存在"sv, "找不到"sv,
    // "... is no longer available", "... has been removed" in other languages
    "não está disponível"sv, "deixou de estar disponível"sv, "foi removid"sv, "foi excluíd"sv,
    "no está disponible"sv, "ha sido eliminad"sv, "ha sido borrad"sv, "non è più disponibile"sv,
    "è stata rimossa"sv, "è stato rimosso"sv, "n'est plus disponible"sv, "a été supprimé"sv,
    "wurde entfernt"sv, "wurde gelöscht"sv, "nicht mehr online"sv, "nicht mehr abrufbar"sv, "niet meer beschikbaar"sv, "is verwijderd"sv,
    "verwijderd of verplaatst"sv, "została usunięta"sv, "zostać usunięta"sv, "nie możemy znaleźć"sv,
    "была удалена"sv, "такой страницы нет"sv, "削除された"sv, "已被删除"sv, "不存在"sv,
    // sv, da, no, fi, cs, tr
    "sidan du letar efter"sv, "finns inte"sv, "kunde inte hittas"sv, "findes ikke"sv, "finnes ikke"sv,
    "ei löytynyt"sv, "ei löydy"sv, "neexistuje"sv, "nebyla nalezena"sv, "bulunamadı"sv, "mevcut değil"sv,
};

constexpr auto kConsentTitle = std::array{
    "before you continue"sv, "before you proceed"sv, "cookie"sv, "privacy"sv, "consent"sv, "your choices"sv,
    "bevor sie"sv, "datenschutz"sv, "zustimmung"sv, "einwilligung"sv, "privatsphäre"sv,
    "vie privée"sv, "confidentialité"sv, "avant d'accéder"sv, "avant de continuer"sv,
    "privacidad"sv, "consentimiento"sv, "antes de continuar"sv, "antes de ir"sv,
    "consenso"sv, "prima di continuare"sv, "privacidade"sv, "toestemming"sv, "voordat je verdergaat"sv,
    "voordat u verdergaat"sv, "prywatność"sv, "zgoda"sv, "zanim przejdziesz"sv,
    "конфиденциальность"sv, "согласие"sv, "прежде чем перейти"sv, "プライバシー"sv, "クッキー"sv,
    "同意"sv, "隐私"sv, "隱私"sv,
    "innan du fortsätter"sv, "før du fortsætter"sv, "før du fortsetter"sv, "ennen kuin jatkat"sv,
    "než budete pokračovat"sv, "devam etmeden önce"sv, "samtycke"sv, "samtykke"sv, "personvern"sv,
    "tietosuoja"sv, "evästeet"sv, "soukromí"sv, "gizlilik"sv, "çerez"sv,
};

// No entry is part of another, so a block's count is of different words.
constexpr auto kConsentWords = std::array{
    // en (also "partner", "privacy", "cookie" in other languages)
    "cookie"sv, "consent"sv, "privacy"sv, "personal data"sv, "partner"sv, "accept"sv, "reject all"sv,
    "agree"sv, "manage options"sv, "manage preferences"sv, "legitimate interest"sv, "personalised ads"sv,
    "personalized ads"sv, "store and/or access"sv, "your choices"sv, "tracking"sv,
    // de
    "zustimm"sv, "einwillig"sv, "datenschutz"sv, "akzeptieren"sv, "personenbezogene"sv, "berechtigte"sv,
    // fr
    "refuser"sv, "vie privée"sv, "données personnelles"sv, "intérêt légitime"sv,
    // es, it, pt
    "aceptar"sv, "rechazar"sv, "privacida"sv, "datos personales"sv, "interés legítimo"sv, "consenso"sv,
    "accetta"sv, "rifiuta"sv, "dati personali"sv, "interesse legittimo"sv, "aceitar"sv, "rejeitar"sv,
    "parceiros"sv, "dados pessoais"sv, "interesse legítimo"sv, "socios"sv,
    // nl, pl
    "toestemming"sv, "akkoord"sv, "weigeren"sv, "persoonsgegevens"sv, "zgod"sv,
    "akceptuj"sv, "prywatnoś"sv, "dane osobowe"sv, "ciasteczk"sv,
    // ru, ja, zh
    "согласи"sv, "принять"sv, "конфиденциальн"sv, "персональных данных"sv, "партнер"sv, "クッキー"sv,
    "同意"sv, "プライバシー"sv, "個人データ"sv, "パートナー"sv, "隐私"sv, "个人数据"sv, "合作伙伴"sv,
    // fr, it (more), sv, da, no, fi, cs, tr
    "partenaires"sv, "confidentialité"sv, "vos choix"sv, "terze parti"sv, "godkänn"sv, "avvis"sv,
    "personuppgifter"sv, "integritet"sv, "samtyck"sv, "samtykke"sv, "personoplysninger"sv,
    "personopplysninger"sv, "godkjenn"sv, "eväste"sv, "suostumu"sv, "hyväksy"sv, "henkilötie"sv,
    "souhlas"sv, "soukromí"sv, "osobní údaje"sv, "çerez"sv, "kişisel veri"sv,
};

constexpr auto kPaywallCall = std::array{
    // en
    "subscribe to continue reading"sv, "subscribe to read this"sv, "subscribe to read the"sv,
    "subscribe to keep reading"sv, "subscribe to unlock"sv,
    "to continue reading"sv, "to keep reading"sv, "to read the full article"sv, "to read the full story"sv,
    "to read this article"sv, "to read the rest"sv, "continue reading with"sv, "for subscribers only"sv,
    "subscribers only"sv, "subscriber-only"sv, "subscriber only"sv, "exclusive to subscribers"sv,
    "exclusively for subscribers"sv, "available to subscribers"sv, "this article is for subscribers"sv,
    "this content is for subscribers"sv, "become a subscriber to"sv, "register to continue"sv,
    "sign in to continue reading"sv, "log in to continue reading"sv, "create a free account to continue"sv,
    "reached your limit"sv, "free articles remaining"sv, "free article limit"sv, "unlock this article"sv,
    "exclusively to subscribers"sv, "only for subscribers"sv, "only to subscribers"sv, "subscribe now to read"sv,
    "subscribe for full access"sv, "subscribe to get full access"sv, "log in or subscribe"sv,
    "sign in or subscribe"sv, "create an account to continue"sv, "register for free to continue"sv,
    "the rest of this article"sv, "continue reading this article"sv, "read the rest of this"sv,
    // de
    "weiterlesen mit"sv, "jetzt weiterlesen"sv, "um weiterzulesen"sv, "nur für abonnenten"sv,
    "exklusiv für abonnenten"sv, "für abonnenten"sv, "lesen sie jetzt mit"sv, "mit einem abo"sv,
    // fr
    "réservé aux abonnés"sv, "abonnez-vous pour lire"sv, "pour lire la suite"sv, "la suite est réservée"sv,
    "il vous reste"sv, "article réservé"sv,
    // es
    "exclusivo para suscriptores"sv, "suscríbete para seguir"sv, "suscríbete para continuar"sv,
    "para seguir leyendo"sv, "para continuar leyendo"sv, "solo para suscriptores"sv,
    // it
    "riservato agli abbonati"sv, "per continuare a leggere"sv, "abbonati per leggere"sv,
    // pt
    "exclusivo para assinantes"sv, "assine para continuar"sv, "para continuar lendo"sv,
    "para continuar a ler"sv,
    // nl
    "alleen voor abonnees"sv, "lees verder met"sv, "om verder te lezen"sv,
    // pl
    "dla subskrybentów"sv, "dla prenumeratorów"sv, "aby czytać dalej"sv, "aby przeczytać cały"sv,
    "czytaj dalej z"sv, "wykup subskrypcję"sv,
    // ru
    "только для подписчиков"sv, "доступен только подписчикам"sv, "чтобы продолжить чтение"sv,
    "чтобы читать дальше"sv, "оформите подписку"sv,
    // ja, zh
    "有料会員限定"sv, "会員限定"sv, "続きを読むには"sv, "この記事は有料"sv, "订阅以继续阅读"sv, "訂閱以繼續閱讀"sv,
    "付费内容"sv, "付費內容"sv, "订户专享"sv, "訂戶專享"sv, "会员专享"sv, "會員專屬"sv,
    // more of the metered and premium wording
    "reached your monthly limit"sv, "used all your free"sv, "used up your free"sv, "used all of your free"sv,
    "read all your free"sv, "no free articles left"sv, "lesen sie weiter mit"sv,
    "vollständig lesen"sv, "weiterlesen für"sv, "pour continuer à lire"sv, "pour lire cet article"sv,
    "abonnez-vous pour continuer"sv, "cet article est réservé"sv, "la suite de cet article"sv,
    "exclusiva para suscriptores"sv, "contenido exclusivo para"sv, "para leer este artículo"sv,
    "suscríbete para leer"sv, "has alcanzado el límite"sv, "continua a leggere con"sv,
    "per leggere l'articolo"sv, "per leggere tutto"sv, "sblocca questo articolo"sv, "sblocca l'articolo"sv,
    "articolo riservato"sv, "hai raggiunto il limite"sv, "abbonati per continuare"sv,
    "exclusiva para assinantes"sv, "conteúdo exclusivo para"sv, "assine para ler"sv,
    "continue lendo com"sv, "atingiu o limite"sv, "artikel verder lezen"sv, "verder lezen met"sv,
    "om dit artikel te lezen"sv, "lees dit artikel met"sv, "alleen beschikbaar voor abonnees"sv,
    "有料記事です"sv, "続きは有料会員"sv, "有料会員になると"sv, "この記事の続きは"sv, "구독자 전용"sv,
    // sv, da, no, fi, cs, tr
    "för att läsa vidare"sv, "för att fortsätta läsa"sv, "läs vidare med"sv, "endast för prenumeranter"sv,
    "for at læse videre"sv, "læs videre med"sv, "kun for abonnenter"sv, "for å lese videre"sv,
    "les videre med"sv, "tilaajille"sv, "jatka lukemista"sv, "pro předplatitele"sv, "abonelere özel"sv,
};

constexpr auto kPaywallCallWeak = std::array{
    "already a subscriber"sv, "already subscribed"sv, "bereits abonnent"sv, "schon abonnent"sv,
    "déjà abonné"sv, "ya eres suscriptor"sv, "ya soy suscriptor"sv, "già abbonato"sv, "já é assinante"sv,
    "já sou assinante"sv, "al abonnee"sv, "masz już subskrypcję"sv, "уже подписаны"sv, "уже есть подписка"sv,
    "すでに会員"sv, "已是订户"sv, "已经是订户"sv,
    "hai già un abbonamento"sv, "al een abonnement"sv, "redan prenumerant"sv, "allerede abonnent"sv,
    "jo tilaaja"sv, "会員の方は"sv, "již máte předplatné"sv,
};

constexpr auto kListingTitle = std::array{
    "search results"sv, "results for"sv, "you searched for"sv, "search:"sv, "suchergebnisse"sv,
    "ergebnisse für"sv, "résultats de recherche"sv, "résultats pour"sv, "resultados de búsqueda"sv,
    "resultados para"sv, "risultati della ricerca"sv, "risultati per"sv, "resultados da pesquisa"sv,
    "resultados da busca"sv, "zoekresultaten"sv, "wyniki wyszukiwania"sv, "результаты поиска"sv,
    "検索結果"sv, "搜索结果"sv, "搜尋結果"sv, "archive"sv, "archiv"sv, "tag:"sv, "tagged"sv, "category:"sv,
    "topic:"sv, "all articles"sv, "all stories"sv, "latest news"sv,
    // "You searched for", tag and author pages in other languages
    "buscou por"sv, "resultados de pesquisa"sv, "buscaste"sv,
    "resultados de la búsqueda"sv, "vous avez recherché"sv, "hai cercato"sv,
    "sie suchten nach"sv, "gezocht op"sv, "sökresultat"sv,
    "du sökte efter"sv, "søgeresultater"sv, "søkeresultater"sv, "hakutulokset"sv, "výsledky hledání"sv,
    "arama sonuçları"sv, "wyniki dla"sv, "вы искали"sv, "tag :"sv, "mot-clé"sv, "schlagwort"sv,
    "articles by"sv, "artikel von"sv, "articoli di"sv, "artículos de"sv, "artigos de"sv,
};

constexpr auto kNoResults = std::array{
    "nothing found"sv, "no results"sv, "nothing matched"sv, "did not match any"sv, "keine ergebnisse"sv,
    "keine treffer"sv, "aucun résultat"sv, "sin resultados"sv, "ningún resultado"sv, "nessun risultato"sv,
    "nenhum resultado"sv, "geen resultaten"sv, "brak wyników"sv, "ничего не найдено"sv, "inga träffar"sv,
    "ingen resultater"sv, "該当する記事はありません"sv, "没有找到"sv, "沒有找到"sv,
};

}  // namespace

std::string fold_case(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::int32_t length = std::int32_t(text.size());
  for (std::int32_t i = 0; i < length;) {
    if (bytes[i] < 0x80) {  // ASCII, most of any page: no need to ask ICU
      out.push_back(base::to_lower(char(bytes[i++])));
      continue;
    }
    std::int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) {  // not UTF-8: the bytes pass as they are
      out.append(text.substr(std::size_t(start), std::size_t(i - start)));
      continue;
    }
    char buffer[U8_MAX_LENGTH];
    std::int32_t n = 0;
    U8_APPEND_UNSAFE(buffer, n, u_foldCase(u_tolower(c), U_FOLD_CASE_DEFAULT));
    out.append(buffer, std::size_t(n));
  }
  return out;
}

std::string_view find_phrase(std::string_view folded, std::span<const std::string_view> phrases) {
  for (std::string_view p : phrases)
    if (folded.find(p) != std::string_view::npos) return p;
  return {};
}

bool has_404(std::string_view text) {
  for (std::size_t at = text.find("404"); at != std::string_view::npos; at = text.find("404", at + 1)) {
    bool digit_before = at > 0 && text[at - 1] >= '0' && text[at - 1] <= '9';
    bool digit_after = at + 3 < text.size() && text[at + 3] >= '0' && text[at + 3] <= '9';
    if (!digit_before && !digit_after) return true;
  }
  return false;
}

namespace phrases {
const std::span<const std::string_view> challenge_title = kChallengeTitle;
const std::span<const std::string_view> challenge_text = kChallengeText;
const std::span<const std::string_view> error_title = kErrorTitle;
const std::span<const std::string_view> error_title_weak = kErrorTitleWeak;
const std::span<const std::string_view> error_text = kErrorText;
const std::span<const std::string_view> consent_title = kConsentTitle;
const std::span<const std::string_view> consent_words = kConsentWords;
const std::span<const std::string_view> paywall_call = kPaywallCall;
const std::span<const std::string_view> paywall_call_weak = kPaywallCallWeak;
const std::span<const std::string_view> listing_title = kListingTitle;
const std::span<const std::string_view> no_results = kNoResults;
}  // namespace phrases

}  // namespace winnow::parsers
