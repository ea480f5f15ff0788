//! The Jackyun signature and business content (PROTOCOLS.md §1.3, §1.4).
//!
//! Contract: [`jky_sign`] = lower-hex MD5 of `lower(secret + k1v1k2v2… + secret)` (UTF-8) over
//! the given pairs except `sign`, `contextid` and `token`, sorted by key bytes, values raw (not
//! URL-encoded). [`bizcontent`] renders one page's business JSON: the scheme's rendered
//! parameters with `pageIndex`/`pageSize` replaced by the page's numbers, compact, non-ASCII
//! unescaped, `null` sent as `""` (§1.4).

use md5::{Digest, Md5};
use serde_json::{Map, Value};

use super::page::SHAPE;
use crate::source::PageRequest;

const UNSIGNED: &[&str] = &["sign", "contextid", "token"];

/// The Jackyun signature of `pairs` with `secret`.
pub fn jky_sign(pairs: &[(String, String)], secret: &str) -> String {
    let mut sorted: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(key, _)| !UNSIGNED.contains(&key.as_str()))
        .collect();
    sorted.sort_by(|left, right| left.0.as_bytes().cmp(right.0.as_bytes()));
    let mut raw = String::from(secret);
    for (key, value) in sorted {
        raw.push_str(key);
        raw.push_str(value);
    }
    raw.push_str(secret);
    hex::encode(Md5::digest(raw.to_lowercase().as_bytes()))
}

/// The compact business JSON of one page.
pub fn bizcontent(request: &PageRequest<'_>) -> String {
    let mut biz = Map::new();
    for (key, value) in request.params {
        if key == SHAPE.page_param || key == SHAPE.size_param {
            continue;
        }
        let value = match value {
            Value::Null => Value::String(String::new()),
            other => other.clone(),
        };
        biz.insert(key.clone(), value);
    }
    biz.insert(SHAPE.page_param.to_owned(), Value::from(request.page));
    biz.insert(SHAPE.size_param.to_owned(), Value::from(request.page_size));
    Value::Object(biz).to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::pairs;

    #[test]
    fn minimal_vector_of_section_1_3() {
        let signed = pairs(&[("b", "2"), ("a", "1"), ("contextid", "c"), ("token", "t")]);
        assert_eq!(jky_sign(&signed, "abc"), "e77954332c159b0debe418aa512025d0");
    }

    #[test]
    fn official_doc_vector_of_section_1_3() {
        let biz = r#"{"brandName":"衣服","cateName":"拉链","costValuationMethod":0,"goodsAlias":"花之春","goodsAttr":1,"goodsMemo":"货品备注","goodsName":"行李包 花之春","goodsNameEn":"spring","goodsNo":"H06-2","isBatchManagement":0,"isCustomizProduction":0,"isDoorService":0,"isPaidService":0,"isPeriodManage":0,"isPickupCard":0,"isProsaleProduct":0,"isProxySale":0,"isSerialManagement":0,"outSkuCode":"8714wtst","ownerId":"jackyun_dev","ownerName":"jackyun_dev","shelfLife":0,"shelfLiftUnit":"","skuBarcode":"76620423621","skuHeight":3,"skuId":"","skuLength":3,"skuName":"无特殊字符","skuWeight":20,"skuWidth":4,"unitName":"件"}"#;
        let signed = pairs(&[
            ("appkey", "187657"),
            ("bizcontent", biz),
            ("contenttype", "json"),
            ("method", "erp.goods.skuimport"),
            ("timestamp", "2019-07-30 15:18:30"),
            ("version", "v1.0"),
        ]);
        assert_eq!(
            jky_sign(&signed, "f0d1483f1f2e49cea3dfd48c8d7e3c23"),
            "04f5cccd1b52125ca5161472ffb42196"
        );
    }

    #[test]
    fn synthetic_vector_of_section_1_3() {
        let biz = r#"{"pageIndex":0,"pageSize":50,"startModified":"2024-01-01 00:00:00","endModified":"2024-01-02 00:00:00","hasTotal":1,"fields":"tradeNo,tradeStatus,goodsDetail.goodsNo"}"#;
        let signed = pairs(&[
            ("method", "jackyun.tradenotsensitiveinfos.list.get"),
            ("appkey", "12345678"),
            ("version", "v1.0"),
            ("contenttype", "json"),
            ("timestamp", "2024-01-02 10:00:00"),
            ("bizcontent", biz),
        ]);
        assert_eq!(
            jky_sign(&signed, "testsecret0123456789abcdef012345"),
            "226c6347b2256e8fe064cd4752bb1e02"
        );
    }

    #[test]
    fn bizcontent_is_compact_with_paging_numbers() {
        let params = json!({"pageIndex": "{PAGINATION_START_PAGE}", "pageSize": "200",
            "shopName": "天猫 \"旗舰\"", "tradeNo": null, "hasTotal": "1"});
        let request = PageRequest {
            params: params.as_object().unwrap(),
            page: 3,
            page_size: 500,
        };
        let text = bizcontent(&request);
        let decoded: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            decoded,
            json!({"shopName": "天猫 \"旗舰\"", "tradeNo": "", "hasTotal": "1",
                "pageIndex": 3, "pageSize": 500})
        );
        assert!(text.contains("天猫"), "non-ASCII stays unescaped: {text}");
        assert!(!text.contains(": "), "compact: {text}");
    }
}
